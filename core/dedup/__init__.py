"""Duplicate rules: normalised matching keys, the check on save, the scan, and merge.

- :mod:`core.dedup.normalize` turns a value into its matching form (case and
  spaces, digits only, E.164 phones, lower-case e-mails).
- :mod:`core.dedup.keys` keeps ``core_dedup_key`` in step with every write and
  finds candidates with one indexed query per rule; :mod:`core.dedup.lookup`
  finds those of many new rows at once (an import's chunk).
- :mod:`core.dedup.check` is the "check on save" behind ``flowcase_record_validate``.
- :mod:`core.dedup.scan` lists duplicate groups; :mod:`core.dedup.merge` merges two records.
"""
from core.dedup.check import DuplicateError, confirm_duplicates

__all__ = ["DuplicateError", "confirm_duplicates"]
