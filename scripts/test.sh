#!/usr/bin/env bash
# The test command: installs and starts what the tests need (PostgreSQL, Docker Engine, bubblewrap, python3, python3-aiosmtpd, gcc, node and npm, chromium, prometheus from Debian's packages), builds, runs every
# test project, and ends with the line "N passed, N failed, N skipped". Exits non-zero when anything fails.
# Usage: bash scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Projects]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/.ci/out"
log() { printf '==> %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root for: $*"; return 1; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_postgres() {
  if [ -n "${PODDLE_TEST_POSTGRES:-}" ]; then
    log "using PostgreSQL from PODDLE_TEST_POSTGRES"
    return 0
  fi
  apt_install postgresql
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
    as_root pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -q online; then
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster "$version" main start
  fi
  for _ in $(seq 1 30); do
    as_root su postgres -c "pg_isready -q -h 127.0.0.1" && break
    sleep 1
  done
  # The test role may create and drop its own databases (one per test), nothing more.
  as_root su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'poddle') THEN CREATE ROLE poddle LOGIN PASSWORD 'poddle' CREATEDB; END IF; END \\\$\\\$;\"" >/dev/null
}

start_docker() {
  if [ -n "${PODDLE_TEST_DOCKER:-}" ]; then
    log "using Docker Engine from PODDLE_TEST_DOCKER"
    return 0
  fi
  # python3: the offline worker image poddle-test/python is made of Debian's interpreter (scripts/test-images.sh).
  apt_install docker.io busybox-static python3
  if ! docker info >/dev/null 2>&1; then
    # No systemd here (containers, CI): the daemon runs in the background, logging to a file.
    log "starting Docker Engine (log: $out/dockerd.log)"
    mkdir -p "$out"
    as_root bash -c "nohup dockerd >'$out/dockerd.log' 2>&1 &"
    for _ in $(seq 1 30); do
      docker info >/dev/null 2>&1 && break
      sleep 1
    done
    docker info >/dev/null 2>&1 || { log "Docker Engine did not start (see $out/dockerd.log)"; return 1; }
  fi
  # The Docker driver's tests run images built offline from busybox-static and python3 (no registry is reachable).
  bash scripts/test-images.sh
}

command -v dotnet >/dev/null || { log "the .NET SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)"; exit 1; }
start_postgres
start_docker
# The sandbox tests run real bubblewrap (prlimit, setpriv and unshare come with util-linux, mount with mount), its
# seccomp filter (libseccomp2), /usr/bin/python3, and C programs they compile with gcc (HostileCodeTests).
apt_install bubblewrap util-linux mount libseccomp2 python3 gcc libc6-dev
# The account tests send mail to a real SMTP server: aiosmtpd under Debian's /usr/bin/python3 (SmtpTestServer).
apt_install python3-aiosmtpd
# Pod networks: each sandbox pod in a network namespace of its own behind pasta (passt), Docker pods on a network per
# owner, and nftables tables that keep both off the host's services (docs/security.md, "Network isolation").
apt_install passt nftables iproute2
# The web app's browser tests drive Debian's Chromium with Playwright (never a browser download: Playwright's own builds
# cannot be fetched here), at /usr/bin/chromium; fonts-dejavu-core gives its screenshots readable text.
apt_install chromium fonts-dejavu-core
# The piston-client and runpod-sdk tests run the npm packages piston-client (tests/piston-client) and runpod-sdk
# (tests/runpod-client) with node; each test runs npm ci, which fetches them from the registry.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
# deploy/prometheus's rules are checked and unit-tested with promtool, and a real Prometheus scrapes a real server to
# evaluate every dashboard query and alert (tests/Poddle.Cli.Tests/Deploy, docs/observability.md). The package's
# service is not started (no systemd here, and the tests run their own Prometheus on a free port).
apt_install prometheus

log "building"
dotnet build Poddle.slnx -c Release -warnaserror --nologo -v:q -clp:NoSummary

rm -rf "$out/TestResults" "$out/screenshots"
mkdir -p "$out/TestResults" "$out/screenshots"
# The browser tests write each page's light and dark screenshot here, next to the results, for a reviewer.
export PODDLE_SCREENSHOTS="$out/screenshots"
log "running tests"
set +e
dotnet test Poddle.slnx -c Release --no-build --nologo \
  --logger "trx" --results-directory "$out/TestResults" "$@" 2>&1 | tee "$out/test.log"
status=${PIPESTATUS[0]}
set -e

passed=0; failed=0; skipped=0; total=0
shopt -s nullglob
for trx in "$out"/TestResults/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$((total + $(get total)))
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$total" -eq 0 ]; then
  log "no test ran (see $out/test.log)"
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A crashed test host or a build error reports no failed test but is a failure all the same.
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
