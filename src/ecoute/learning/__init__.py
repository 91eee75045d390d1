"""Learning on its own: a workspace's heads retrained from its agents' corrections (``retrain``),
each attempt kept as a version in the database (``models``), run on the task queue (``jobs``)."""
