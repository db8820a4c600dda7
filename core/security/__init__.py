"""The security model: roles, section rights, record rules, column rights, login throttling.

- :mod:`core.security.models`: the tables (roles and rights are core sections, so
  add-ons seed them with ordinary data files).
- :mod:`core.security.policy`: what a user may do, registered through the core's
  own ``flowcase_record_access`` / ``flowcase_record_filter`` hooks.
- :mod:`core.security.throttle`: failed-login counting in the database.
"""
