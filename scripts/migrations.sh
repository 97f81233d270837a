#!/usr/bin/env bash
# Adds an EF Core migration to both providers (SQLite and PostgreSQL), so the two sets never drift apart.
#   scripts/migrations.sh add <Name>       add a migration to both
#   scripts/migrations.sh list             list migrations of both
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
cmd=${1:-}; name=${2:-}
for provider in Sqlite Postgres; do
  project=src/Poddle.Data.$provider
  case "$cmd" in
    add)
      [ -n "$name" ] || { echo "usage: $0 add <Name>" >&2; exit 2; }
      dotnet ef migrations add "$name" --project "$project" --startup-project "$project" --output-dir Migrations ;;
    list)
      dotnet ef migrations list --project "$project" --startup-project "$project" --no-connect ;;
    *) echo "usage: $0 add <Name> | list" >&2; exit 2 ;;
  esac
done
