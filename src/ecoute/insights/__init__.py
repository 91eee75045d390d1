"""Insights: figures computed from the store — response metrics (``response_facts``,
``response_metrics``) and their exports (``export``)."""
