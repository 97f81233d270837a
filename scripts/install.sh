#!/usr/bin/env bash
# Installs the `poddle` command: publishes src/Poddle.Cli (Release) into $PODDLE_PREFIX/lib/poddle and puts a
# `poddle` launcher in $PODDLE_PREFIX/bin. PODDLE_PREFIX defaults to /usr/local as root, else ~/.local (whose bin
# Debian's ~/.profile puts on PATH once it exists). PODDLE_INSTALL_FROM=DIR installs a poddle already built there
# (DIR holds poddle.dll) instead of publishing one. Run it again to update. scripts/run.sh runs it before it starts
# the server. The launcher's path is the only thing written to standard output; progress goes to standard error.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || { echo "The .NET SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }

if [ -z "${PODDLE_PREFIX:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then PODDLE_PREFIX=/usr/local; else PODDLE_PREFIX="$HOME/.local"; fi
fi
lib="$PODDLE_PREFIX/lib/poddle"
bin="$PODDLE_PREFIX/bin"
mkdir -p "$PODDLE_PREFIX/lib" "$bin"

# Published next to the current version and swapped in, so a poddle that is running keeps its files: the previous
# version stays in poddle.previous until the next install.
rm -rf "$lib.next" "$lib.previous"
if [ -n "${PODDLE_INSTALL_FROM:-}" ]; then
  [ -f "$PODDLE_INSTALL_FROM/poddle.dll" ] || { echo "PODDLE_INSTALL_FROM: no poddle.dll in $PODDLE_INSTALL_FROM" >&2; exit 1; }
  echo "==> copying poddle from $PODDLE_INSTALL_FROM into $lib" >&2
  cp -R "$PODDLE_INSTALL_FROM" "$lib.next"
else
  echo "==> building poddle into $lib" >&2
  dotnet publish src/Poddle.Cli -c Release -o "$lib.next" --nologo -v:q -clp:NoSummary >&2
fi
if [ -d "$lib" ]; then mv "$lib" "$lib.previous"; fi
mv "$lib.next" "$lib"

# A launcher rather than a link to the apphost: it names the dotnet that built it, so it runs wherever the SDK lives.
dotnet_path="$(command -v dotnet)"
cat > "$bin/poddle.next" <<LAUNCHER
#!/bin/sh
# Installed by $(pwd)/scripts/install.sh; run it again to update.
exec "$dotnet_path" "$lib/poddle.dll" "\$@"
LAUNCHER
chmod 755 "$bin/poddle.next"
mv -f "$bin/poddle.next" "$bin/poddle"
echo "==> installed $bin/poddle" >&2
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "==> $bin is not on your PATH: add it with  export PATH=\"$bin:\$PATH\"  (in ~/.profile to keep it)" >&2 ;;
esac
echo "$bin/poddle"
