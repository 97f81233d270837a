#!/usr/bin/env bash
# Builds the images the Docker driver's tests and benchmark run, offline (no registry is reachable here):
#   poddle-test/busybox:latest   a rootfs of Debian's static busybox (+ its applet symlinks), /tmp, and /www with an
#                                index.html, so `httpd -f -p $PORT -h /www` serves 200.
# Idempotent: an image that already exists is left alone. Needs a running Docker Engine and /bin/busybox from busybox-static.
# Usage: bash scripts/test-images.sh
set -euo pipefail
log() { printf '==> %s\n' "$*" >&2; }

image=poddle-test/busybox:latest
if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi

busybox=/bin/busybox
# ldd fails on a static binary; a dynamic busybox would not run in a rootfs without its libraries.
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  log "$busybox is not a static busybox (install busybox-static)"
  exit 1
fi

log "building $image from $busybox"
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" "$rootfs/tmp" "$rootfs/www" \
  "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# --install -s makes the applet symlinks (sh, httpd, sleep, ...) where busybox would put them, inside the rootfs.
chroot "$rootfs" /bin/busybox --install -s
echo ok > "$rootfs/www/index.html"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["sh"]' \
  --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
  --message "poddle test image: Debian busybox-static" \
  - "$image" >/dev/null
log "built $image"
