"""Running Écoute in production: readiness checks, Prometheus metrics, a status snapshot for people
(``ecoute status``) and JSON log lines."""
