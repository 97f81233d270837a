#!/usr/bin/env bash
# The run command: restores, builds and starts Poddle with embedded defaults — a SQLite database in ./data and the
# server on http://localhost:8080. Extra arguments go to `poddle serve` (e.g. --urls http://0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || { echo "The .NET SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
exec dotnet run --project src/Poddle.Cli -c Release -- serve --data-dir "${PODDLE_DATA_DIR:-data}" "$@"
