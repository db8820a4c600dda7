"""The add-on ecosystem: manifests, discovery, dependency order, migrations, data files, lifecycle."""
