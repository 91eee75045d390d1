"""Insights: figures computed from the store — response metrics (``response_facts``,
``response_metrics``) and their exports (``export``), what people say (``listening``), and the
shareable report built from them (``report``; its CSV, PDF and share links: ``report_csv``,
``report_pdf``, ``report_links``)."""
