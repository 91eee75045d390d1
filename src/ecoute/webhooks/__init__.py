"""Outgoing webhooks: Écoute tells other tools when something needs them (a new high-priority
conversation), with signed JSON POSTs retried with back-off.

The signature scheme (what a receiver must check, over the raw bytes, before parsing):

- ``X-Ecoute-Timestamp``: Unix time in seconds when the request was signed.
- ``X-Ecoute-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the endpoint's secret
  (``whsec_…``, shown once when the endpoint is added), of ``<timestamp> + "." + <raw body>``.
- Reject when the signature does not match (compare in constant time) or when the timestamp is
  more than 5 minutes from your clock: a captured request cannot be replayed later.
- ``X-Ecoute-Event`` names the event, ``X-Ecoute-Delivery`` is the event id: the same event may
  arrive twice (a retry after a lost answer), so use it to ignore duplicates.

Ingest never waits for a receiver: the ingest hook only queues rows in ``webhook_deliveries``
(``events.enqueue_high_priority``); ``delivery.deliver_due`` sends what is due, from
``ecoute webhooks deliver`` (once, or ``--every N`` seconds as a worker loop).
"""
