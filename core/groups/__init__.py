"""Record groups: dynamic (a saved filter, evaluated when used) and static (hand-picked records)."""
