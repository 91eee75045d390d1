#!/usr/bin/env bash
# Install Écoute with its test tools (in .venv) and run the whole test suite.
# PostgreSQL and Redis tests run when ECOUTE_TEST_POSTGRES_URL / ECOUTE_TEST_REDIS_URL are set
# (and are skipped, with that reason, when they are not); browser tests use Debian's chromium.
set -euo pipefail
. "$(dirname "$0")/_venv.sh" test
. "$(dirname "$0")/_chromium.sh"
# Two processes share the work (one file at a time each); each has its own databases.
# The slowest tests are listed at the end, to keep the suite fast.
exec python -m pytest -n "${ECOUTE_TEST_WORKERS:-auto}" --dist loadfile --durations=25 "$@"
