"""Print forms: sandboxed Jinja HTML per section, rendered to PDF (xhtml2pdf) from the card and the list."""
