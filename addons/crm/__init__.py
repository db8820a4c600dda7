"""CRM: accounts, contacts, activities. Hooks live in ``hooks.py``; nothing runs on import."""
