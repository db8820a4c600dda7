"""Mailings and campaigns: a template sent to a record group's people in throttled batches, with unsubscribe.

- :mod:`.models` campaigns, mailings, one frozen row per recipient, unsubscribed addresses;
- :mod:`.addresses` which email addresses a record (or a group's records) reaches, found from the sections;
- :mod:`.service` scheduling, starting (freezing the recipients) and the batch sender job;
- :mod:`.unsubscribe` signed unsubscribe links and the public page that honours them;
- :mod:`.compose` "Send email" from any card that has an address or a contact.
"""
