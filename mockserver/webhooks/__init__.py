"""Webhook emission: registration, vendor-faithful signing, retries and a delivery journal.

Modules, one concept each: ``config`` (the ``x-mock.webhooks`` block), ``signing`` (header
profiles), ``payload`` (the vendor's body), ``registry`` (who hears what), ``outbox`` (what is
owed), ``journal`` (every attempt), ``worker`` (the background thread), ``service`` (the wiring),
``admin_routes`` (``/__admin/webhook-*``). See docs/webhooks.md.
"""

from mockserver.webhooks import config as config  # registers the x-mock.webhooks block
from mockserver.webhooks.service import WebhookService as WebhookService
