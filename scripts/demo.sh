#!/usr/bin/env bash
# Install Écoute (in .venv) and run the demo on the embedded SQLite database.
set -euo pipefail
. "$(dirname "$0")/_venv.sh" base
exec ecoute demo "$@"
