#!/usr/bin/env bash
# The run command: installs the sandbox's tools if missing (bubblewrap, util-linux, mount, libseccomp2, python3, passt,
# nftables, iproute2 from Debian's packages), builds Poddle and installs the `poddle` command on PATH (scripts/install.sh:
# /usr/local/bin as root, else ~/.local/bin), then starts it with embedded defaults — a SQLite database in ./data and the
# server on http://localhost:8080. Extra arguments go to `poddle serve` (e.g. --urls http://0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || { echo "The .NET SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }

# The code runner's sandbox needs bwrap, prlimit/setpriv/unshare, mount, libseccomp and an interpreter; sandbox pods
# also need pasta (passt), iproute2 and nftables for their own network namespaces. Without them Poddle still runs, and
# /readyz and `poddle doctor` say what is missing.
missing=()
for pkg in bubblewrap util-linux mount libseccomp2 python3 passt nftables iproute2; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
# The web app speaks English, Russian and Uzbek through ICU (docs/decisions/0011): the SDK's Debian packages bring
# libicu, an SDK installed by hand may not.
if ! ldconfig -p 2>/dev/null | grep -q 'libicuuc\.so'; then
  icu="$(apt-cache search --names-only '^libicu[0-9]+$' 2>/dev/null | awk '{print $1}' | sort -V | tail -1)"
  missing+=("${icu:-libicu72}")
fi
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "==> installing ${missing[*]}" >&2
  if ! { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "==> could not install ${missing[*]}; code execution will be unavailable (see /readyz)" >&2
  fi
fi

poddle="$(bash scripts/install.sh)"
exec "$poddle" serve --data-dir "${PODDLE_DATA_DIR:-data}" "$@"
