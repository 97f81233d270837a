#!/usr/bin/env bash
# Builds the images the Docker driver's tests and benchmark run, offline (no registry is reachable here):
#   poddle-test/busybox:latest   a rootfs of Debian's static busybox (+ its applet symlinks), /tmp, and /www with an
#                                index.html, so `httpd -f -p $PORT -h /www` serves 200.
#   poddle-test/python:latest    a minimal rootfs of this machine's Debian /usr/bin/python3 (the interpreter, the shared
#                                libraries ldd lists for it and its extension modules, /usr/lib/python3.11 without its
#                                tests, IDLE, tkinter, ensurepip and similar bulk), /tmp, and /etc/passwd with nobody:
#                                pool workers written the way runpod-python works run in it (the Docker pool E2E test).
# Idempotent: an image that already exists is left alone. Needs a running Docker Engine, /bin/busybox from
# busybox-static and /usr/bin/python3 from python3.
# Usage: bash scripts/test-images.sh
set -euo pipefail
log() { printf '==> %s\n' "$*" >&2; }

rootfs=
trap '[ -z "$rootfs" ] || rm -rf "$rootfs"' EXIT

exists() { docker image inspect "$1" >/dev/null 2>&1; }

# new_rootfs: an empty rootfs in $rootfs with the directories every image has, a world-writable /tmp, and root and
# nobody in /etc/passwd and /etc/group (tests run pods as uid 65534).
new_rootfs() {
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" "$rootfs/tmp" \
    "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
}

# import_rootfs IMAGE CMD MESSAGE: imports $rootfs as IMAGE and removes it.
import_rootfs() {
  tar -C "$rootfs" -c . | docker import \
    --change "CMD $2" \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    --message "$3" \
    - "$1" >/dev/null
  rm -rf "$rootfs"
  rootfs=
  log "built $1 ($(docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%.1f MB", $1 / 1000000}'))"
}

busybox_image() {
  local image=poddle-test/busybox:latest busybox=/bin/busybox
  exists "$image" && return 0
  # ldd fails on a static binary; a dynamic busybox would not run in a rootfs without its libraries.
  if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
    log "$busybox is not a static busybox (install busybox-static)"
    return 1
  fi

  log "building $image from $busybox"
  new_rootfs
  mkdir -p "$rootfs/www"
  cp "$busybox" "$rootfs/bin/busybox"
  # --install -s makes the applet symlinks (sh, httpd, sleep, ...) where busybox would put them, inside the rootfs.
  chroot "$rootfs" /bin/busybox --install -s
  echo ok > "$rootfs/www/index.html"
  import_rootfs "$image" '["sh"]' "poddle test image: Debian busybox-static"
}

python_image() {
  local image=poddle-test/python:latest
  exists "$image" && return 0
  # Debian's interpreter, never a pyenv shim or a venv's: its libraries are where ldd says.
  local python
  python=$(readlink -f /usr/bin/python3 2>/dev/null || true)
  if [ -z "$python" ] || [ ! -x "$python" ]; then
    log "/usr/bin/python3 is missing (install python3)"
    return 1
  fi
  local version stdlib
  version=$(basename "$python")            # python3.11
  stdlib="/usr/lib/$version"
  [ -d "$stdlib" ] || { log "$stdlib is missing"; return 1; }

  log "building $image from $python"
  new_rootfs
  mkdir -p "$rootfs/usr/lib"
  cp "$python" "$rootfs/usr/bin/$version"
  ln -s "$version" "$rootfs/usr/bin/python3"
  ln -s "$version" "$rootfs/usr/bin/python"
  # The standard library without what a worker never imports: tests, IDLE, tkinter/turtle, ensurepip's wheels, 2to3,
  # distutils' and the build configuration, pydoc's topics, bytecode caches (the interpreter compiles what it
  # imports), and the extension modules that exist only for CPython's tests or need terminal/database libraries.
  tar -C "$(dirname "$stdlib")" -c \
    --exclude="$version/test" --exclude="$version/idlelib" --exclude="$version/tkinter" \
    --exclude="$version/turtledemo" --exclude="$version/turtle.py" --exclude="$version/ensurepip" \
    --exclude="$version/lib2to3" --exclude="$version/distutils" --exclude="$version/pydoc_data" \
    --exclude="$version/config-*" --exclude="$version/unittest/test" --exclude="$version/ctypes/test" \
    --exclude="$version/sqlite3/test" --exclude="$version/sitecustomize.py" --exclude='__pycache__' \
    --exclude='_test*.so' --exclude='_xx*.so' --exclude='xxlimited*.so' --exclude='_ctypes_test*.so' \
    --exclude='_curses*.so' --exclude='readline*.so' --exclude='_dbm*.so' --exclude='nis*.so' \
    --exclude='_sqlite3*.so' --exclude='ossaudiodev*.so' \
    "$version" | tar -C "$rootfs/usr/lib" -x
  # The shared libraries the interpreter and the extension modules kept need, at the paths ldd resolves them to
  # (the dynamic loader included), copied as files: /lib/x86_64-linux-gnu in the image is a plain directory.
  local lib
  for lib in $( { ldd "$python"; find "$rootfs/usr/lib/$version/lib-dynload" -name '*.so' -exec ldd {} \; ; } \
      | awk '/=>/ { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  # A smoke test before import: the interpreter starts and the modules a worker loop needs import.
  chroot "$rootfs" "/usr/bin/$version" -c 'import json, threading, urllib.request, urllib.parse, ssl, hashlib, uuid, asyncio' \
    || { log "the $image rootfs does not run python"; return 1; }
  import_rootfs "$image" '["python3"]' "poddle test image: Debian $version"
}

busybox_image
python_image
