"""Keep time: business hours, first-response deadlines, breach alerts.

``config`` (the workspace's settings), ``calendar`` and ``clock`` (business-time arithmetic),
``targets`` (deadlines and their state), ``deadlines`` (running clocks read from the store),
``notices`` and ``notify`` (alerts when a high-priority conversation is about to breach).
This module imports nothing: ``ecoute.store.models`` imports ``notices`` to register its table.
"""
