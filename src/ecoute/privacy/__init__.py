"""People's data: what Écoute holds about one person (an author on a platform), exported as JSON
or erased on request, mentions dropped after a workspace's retention period, and backups."""
