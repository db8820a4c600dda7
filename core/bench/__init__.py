"""``flowcase bench``: scenarios measured on generated data, each beside its floor.

The floor of a scenario is the least work that could answer it: the bare
SQLAlchemy Core query (plus a plain Jinja render of the same rows for pages).
Machines here are noisy, so the ratio to the floor, measured in the same run,
is the number to steer by.
"""
