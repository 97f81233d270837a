#!/usr/bin/env bash
# `poddle static` against nginx serving the same built single-page app, side by side in one run, measured with wrk
# (and once with `poddle bench`).
#   site          : a generated SPA in a temp dir: index.html (2.3 KB), hashed JS 60-280 KB, hashed CSS 90 KB, images,
#                   robots.txt; every text file over 1 KB also as a .gz copy (gzip -9) for nginx's gzip_static
#   nginx         : 127.0.0.1:18091, worker_processes auto, gzip on (level 6) and gzip_static on (sends the .gz copies,
#                   as poddle sends the copies it made at start), SPA fallback (try_files), the same cache and
#                   security headers as poddle
#   nginx-dynamic : 127.0.0.1:18092, the same with gzip_static off: compresses the bundle on every request (js-gz only)
#   poddle        : 127.0.0.1:18090, `poddle static` (Release build), workstation GC (the CLI's default)
# Access logs are OFF for all three. Each URL is measured on each target in turn, RUNS times (interleaved, so
# background noise hits all alike); the report gives the median of the runs: requests/s and p99 latency.
#   index  : GET /index.html                       (no Accept-Encoding: 2.3 KB as it is)
#   js-gz  : GET /assets/vendor.<hash>.js         Accept-Encoding: gzip (280 KB, ~70 KB compressed)
#   small  : GET /robots.txt                        (67 bytes)
# Usage (repository root): bench/static-vs-nginx.sh [duration=10s] [connections=64] [threads=2] [runs=3]
set -euo pipefail
duration=${1:-10s}
connections=${2:-64}
threads=${3:-2}
runs=${4:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/poddle-static-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

site="$tmp/site"
python3 - "$site" <<'PY'
import os, random, sys, hashlib
site = sys.argv[1]
random.seed(7)
os.makedirs(f"{site}/assets", exist_ok=True)
words = ["const","let","function","return","if","else","for","while","this","props","state","value","render",
         "component","useEffect","useState","document","window","await","async","import","export","default","null",
         "undefined","true","false","Object","Array","map","filter","reduce","length","push","then","catch"]
def js(size):
    out, n = [], 0
    while n < size:
        ident = "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(random.randint(2, 9)))
        line = f"{random.choice(words)} {ident}{random.randint(0,999)}=({random.choice(words)},{ident})=>{{{random.choice(words)} {ident}.{random.choice(words)}({random.randint(0,99999)});}};\n"
        out.append(line); n += len(line)
    return "".join(out)[:size]
def css(size):
    out, n = [], 0
    while n < size:
        line = f".c-{random.randint(0,99999):x}{{color:#{random.randint(0,0xffffff):06x};margin:{random.randint(0,40)}px {random.randint(0,40)}px;display:{random.choice(['flex','block','grid','none'])}}}\n"
        out.append(line); n += len(line)
    return "".join(out)[:size]
def hashed(name, ext, data):
    h = hashlib.sha256(data).hexdigest()[:8]
    path = f"assets/{name}.{h}.{ext}"
    open(f"{site}/{path}", "wb").write(data)
    return path
vendor = hashed("vendor", "js", js(280_000).encode())
app = hashed("app", "js", js(120_000).encode())
chunk = hashed("settings", "js", js(60_000).encode())
style = hashed("app", "css", css(90_000).encode())
logo = hashed("logo", "png", random.randbytes(40_000))
hero = hashed("hero", "jpg", random.randbytes(150_000))
icon = hashed("icons", "svg", ("<svg xmlns='http://www.w3.org/2000/svg'>" + "".join(f"<path d='M{i} {i*2}L{i*3} {i}Z'/>" for i in range(300)) + "</svg>").encode())
html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Bench SPA</title><link rel="icon" href="/favicon.ico"><link rel="stylesheet" href="/{style}">
<link rel="modulepreload" href="/{vendor}"><link rel="modulepreload" href="/{chunk}">
</head><body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>
<img src="/{logo}" alt=""><img src="/{icon}" alt="">
<script type="module" src="/{app}"></script>
""" + "".join(f"<!-- preload hint {i}: /assets/route-{i}.js -->\n" for i in range(28)) + "</body></html>\n"
open(f"{site}/index.html", "w").write(html)
open(f"{site}/robots.txt", "w").write("User-agent: *\nAllow: /\nSitemap: https://example.test/sitemap.xml\n")
open(f"{site}/favicon.ico", "wb").write(random.randbytes(4286))
open(f"{site}/vendor-path", "w").write("/" + vendor)
PY
vendor=$(cat "$site/vendor-path"); rm "$site/vendor-path"
# The .gz copies nginx's gzip_static sends (poddle uses them too, as its own copies, when they are there).
find "$site" -type f \( -name '*.js' -o -name '*.css' -o -name '*.svg' -o -name '*.html' \) -size +1k -exec gzip -9 -k {} \;
chmod -R a+rX "$tmp"

for variant in nginx nginx-dynamic; do
  port=18091; gzip_static=on
  if [ "$variant" = nginx-dynamic ]; then port=18092; gzip_static=off; fi
  mkdir -p "$tmp/$variant/logs"
  cat > "$tmp/$variant/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $tmp/$variant/nginx.pid;
error_log $tmp/$variant/logs/error.log warn;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server_tokens off;
  gzip on;
  gzip_comp_level 6;
  gzip_min_length 1024;
  gzip_vary on;
  gzip_types text/css application/javascript application/json image/svg+xml text/plain application/xml;
  gzip_static $gzip_static;
  server {
    listen 127.0.0.1:$port backlog=4096;
    root $site;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options SAMEORIGIN always;
    add_header Content-Security-Policy "frame-ancestors 'self'" always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=(), usb=()" always;
    location = /health.json { default_type application/json; add_header Cache-Control no-store; return 200 '{"status":"healthy"}'; }
    location = /index.html { add_header Cache-Control no-cache; add_header X-Content-Type-Options nosniff; add_header X-Frame-Options SAMEORIGIN; add_header Content-Security-Policy "frame-ancestors 'self'"; add_header Referrer-Policy strict-origin-when-cross-origin; add_header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=(), usb=()"; }
    location ~ "\.[0-9a-f]{8}\.(js|css|png|jpg|svg)\$" { add_header Cache-Control "public, max-age=31536000, immutable"; add_header X-Content-Type-Options nosniff; add_header X-Frame-Options SAMEORIGIN; add_header Content-Security-Policy "frame-ancestors 'self'"; add_header Referrer-Policy strict-origin-when-cross-origin; add_header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=(), usb=()"; }
    location / { try_files \$uri \$uri/ /index.html; expires 1h; }
  }
}
CONF
  nginx -e "$tmp/$variant/logs/error.log" -p "$tmp/$variant" -c "$tmp/$variant/nginx.conf" & pids+=($!)
  eval "pid_${variant//-/_}=$!"
done

echo "building poddle (Release)..." >&2
(cd "$root" && dotnet build -c Release src/Poddle.Cli -v q -nologo > "$tmp/build.log" 2>&1) || { cat "$tmp/build.log" >&2; exit 1; }
dotnet "$root/src/Poddle.Cli/bin/Release/net10.0/poddle.dll" static "$site" --host 127.0.0.1 --port 18090 > "$tmp/poddle.out" 2> "$tmp/poddle.err" & pids+=($!)
pid_poddle=$!

for port in 18090 18091 18092; do
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/health.json" && break
    sleep 0.2
  done
  curl -sf -o /dev/null "http://127.0.0.1:$port/health.json" || { echo "port $port did not come up" >&2; cat "$tmp/poddle.err" >&2; exit 1; }
  # Same answers: the gzip'd JS is compressed, the fallback serves index.html, cache headers are there.
  enc=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$vendor" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding" {print $2}')
  [ "$enc" = gzip ] || { echo "port $port: $vendor not gzip-encoded ($enc)" >&2; exit 1; }
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "http://127.0.0.1:$port/some/route")
  [ "$code" = 200 ] || { echo "port $port: SPA fallback answered $code" >&2; exit 1; }
done

to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f\n", v }'; }
# CPU time (utime + stime, in clock ticks of 10 ms) of a target's processes: the nginx master and its workers, or poddle.
cpu_ticks() {
  local main; eval "main=\$pid_${1//-/_}"
  local total=0 p
  for p in $main $(pgrep -P "$main" || true); do
    total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo $total
}
measure() { # target url-name url [header]
  local out before after
  before=$(cpu_ticks "$1")
  if [ -n "${4:-}" ]; then
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "$4" "$3")
  else
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$3")
  fi
  after=$(cpu_ticks "$1")
  local rps p50 p99 errors requests cpu
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  # Server CPU per request in microseconds: far steadier than requests/s on a machine others are loading.
  cpu=$(awk -v t=$((after - before)) -v n="$requests" 'BEGIN { printf "%.1f", t * 10000 / n }')
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)
  errors=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')
  echo "$1 $2 $rps $p50 $p99 $cpu" >> "$tmp/results"
  printf '  %-13s %-6s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  %6.1f us CPU/request %s\n' "$1" "$2" "$rps" "$p50" "$p99" "$cpu" "$errors" >&2
}
port_of() { case $1 in poddle) echo 18090;; nginx) echo 18091;; nginx-dynamic) echo 18092;; esac; }

# Warm-up (JIT, tiered compilation, connection set-up), not counted.
for url in /index.html "$vendor" /robots.txt; do
  wrk -t"$threads" -c"$connections" -d3s -H 'Accept-Encoding: gzip' "http://127.0.0.1:18090$url" > /dev/null
done

: > "$tmp/results"
for run in $(seq 1 "$runs"); do
  echo "run $run/$runs (wrk -t$threads -c$connections -d$duration --latency)" >&2
  for target in poddle nginx; do
    port=$(port_of $target)
    measure $target index "http://127.0.0.1:$port/index.html"
    measure $target js-gz "http://127.0.0.1:$port$vendor" 'Accept-Encoding: gzip'
    measure $target small "http://127.0.0.1:$port/robots.txt"
  done
  # nginx compressing the bundle per request (gzip on, no .gz copies used): only the compressed URL differs.
  measure nginx-dynamic js-gz "http://127.0.0.1:18092$vendor" 'Accept-Encoding: gzip'
done

median() { sort -g | awk '{ a[NR]=$1 } END { print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2 }'; }
echo
echo "median of $runs runs; wrk -t$threads -c$connections -d$duration; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-6s | %-13s | %10s | %9s | %9s | %13s | %13s |\n' url target 'req/s' 'p50 ms' 'p99 ms' 'CPU us/req' 'poddle/this'
printf '|--------|---------------|-----------:|----------:|----------:|--------------:|--------------:|\n'
for url in index js-gz small; do
  prps=$(awk -v u=$url '$1 == "poddle" && $2 == u { print $3 }' "$tmp/results" | median)
  targets="poddle nginx"; [ $url = js-gz ] && targets="poddle nginx nginx-dynamic"
  for target in $targets; do
    rps=$(awk -v t=$target -v u=$url '$1 == t && $2 == u { print $3 }' "$tmp/results" | median)
    p50=$(awk -v t=$target -v u=$url '$1 == t && $2 == u { print $4 }' "$tmp/results" | median)
    p99=$(awk -v t=$target -v u=$url '$1 == t && $2 == u { print $5 }' "$tmp/results" | median)
    cpu=$(awk -v t=$target -v u=$url '$1 == t && $2 == u { print $6 }' "$tmp/results" | median)
    ratio=$(awk -v a="$prps" -v b="$rps" 'BEGIN { printf "%.0f%%", 100 * a / b }')
    printf '| %-6s | %-13s | %10.0f | %9.3f | %9.3f | %13.1f | %13s |\n' "$url" "$target" "$rps" "$p50" "$p99" "$cpu" "$ratio"
  done
done

# poddle bench against poddle and nginx (index page, 5 s at 64 clients), each run next to wrk on the same URL with the
# same Accept-Encoding, RUNS times interleaved: how close poddle bench comes to wrk as a load generator.
if [ "${BENCH_CLI:-1}" = 1 ]; then
  : > "$tmp/cli"
  for run in $(seq 1 "$runs"); do
    for target in poddle nginx; do
      port=$(port_of $target)
      json=$(dotnet "$root/src/Poddle.Cli/bin/Release/net10.0/poddle.dll" bench "http://127.0.0.1:$port" --page /index.html -d 5s -c 64 -n 100 --json 2>/dev/null || true)
      read -r brps bp99 bcpu < <(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); l=r["levels"][0]; print(l["requestsPerSecond"], l["latencyMs"]["p99"], (l.get("target") or {}).get("cpuPercentMean","-"))' "$json")
      wrps=$(wrk -t"$threads" -c64 -d5s -H 'Accept-Encoding: gzip, deflate, br' "http://127.0.0.1:$port/index.html" | awk '/^Requests\/sec:/ { print $2 }')
      echo "$target $brps $bp99 $bcpu $wrps" >> "$tmp/cli"
      printf '  %-7s poddle bench %8.0f req/s (p99 %.3f ms, target CPU %s%%)  wrk %8.0f req/s\n' "$target" "$brps" "$bp99" "$bcpu" "$wrps" >&2
    done
  done
  echo
  echo "poddle bench -d 5s -c 64 --page /index.html against wrk -t$threads -c64 -d5s -H 'Accept-Encoding: gzip, deflate, br', median of $runs:"
  printf '| %-7s | %12s | %12s | %13s | %10s | %9s |\n' target 'bench req/s' 'bench p99 ms' 'target CPU %' 'wrk req/s' 'bench/wrk'
  printf '|---------|-------------:|-------------:|--------------:|-----------:|----------:|\n'
  for target in poddle nginx; do
    brps=$(awk -v t=$target '$1 == t { print $2 }' "$tmp/cli" | median)
    bp99=$(awk -v t=$target '$1 == t { print $3 }' "$tmp/cli" | median)
    bcpu=$(awk -v t=$target '$1 == t { print $4 }' "$tmp/cli" | median)
    wrps=$(awk -v t=$target '$1 == t { print $5 }' "$tmp/cli" | median)
    printf '| %-7s | %12.0f | %12.3f | %13.1f | %10.0f | %8.0f%% |\n' "$target" "$brps" "$bp99" "$bcpu" "$wrps" "$(awk -v a="$brps" -v b="$wrps" 'BEGIN { print 100 * a / b }')"
  done
fi
