"""Web forms: public forms on landing pages whose submissions create records (leads) through the records service.

- :mod:`.models` the ``web_form`` section's table and the rate-limit hits;
- :mod:`.spec` the text configuration (fields, hidden defaults, origins);
- :mod:`.guard` CORS, honeypot, per-IP rate limit, size limits;
- :mod:`.submit` the record made from a submission (known contacts linked);
- :mod:`.views` ``/forms/<slug>`` and ``/forms/<slug>/submit``;
- :mod:`.admin` the admin screen with the embeddable snippet.
"""
