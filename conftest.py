# Fixtures for platform and add-on tests live in core.pytest_plugin.
pytest_plugins = ["core.pytest_plugin"]
