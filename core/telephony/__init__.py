"""Telephony: PBX connectors, call events logged as call activities, click-to-call.

- :mod:`.numbers` E.164 numbers and the contact a number belongs to (``flowcase_contact_match``);
- :mod:`.models` one row per PBX call id (idempotent events);
- :mod:`.connectors` the connector base, the Mango Office VPBX-style and the signed-webhook connectors;
- :mod:`.calls` events → one call activity per call, through the records service;
- :mod:`.views` ``/telephony/<connector>/events/<event>`` and ``/telephony/call``.
"""
