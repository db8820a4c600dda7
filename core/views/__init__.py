"""The core's own pages: login and the home page."""
