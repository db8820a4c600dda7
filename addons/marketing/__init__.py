"""Marketing: the campaign a lead came from, and who may run mailings. Hooks live in ``hooks.py``."""
