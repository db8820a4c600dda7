# Fixtures for platform and add-on tests live in core.pytest_plugin; browser fixtures in core.pytest_browser.
pytest_plugins = ["core.pytest_plugin", "core.pytest_browser"]
