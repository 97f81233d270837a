#!/usr/bin/env bash
# Poddle's reverse proxy against nginx proxying the same backend, side by side in one run, measured with wrk.
#   backend: nginx (1 worker) serving a 612-byte static file on 127.0.0.1:18081
#   direct : wrk → backend
#   nginx  : wrk → nginx proxy_pass (keepalive upstream, same headers Poddle adds) on 127.0.0.1:18082 → backend
#   poddle : wrk → `poddle` server (Release, in process: bench/proxy-server.cs) on 127.0.0.1:18080 → backend
# The three targets are measured in turn, RUNS times (interleaved, so background noise hits all alike); the report
# gives the median of the runs: requests/s, p50 and p99 latency, and Poddle against nginx.
# Usage (repository root): bench/proxy-vs-nginx.sh [duration=10s] [connections=64] [threads=2] [runs=3]
set -euo pipefail
duration=${1:-10s}
connections=${2:-64}
threads=${3:-2}
runs=${4:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/poddle-proxy-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/www" "$tmp/backend/logs" "$tmp/proxy/logs"
# The size of nginx's default index.html.
head -c 612 /dev/zero | tr '\0' 'x' > "$tmp/www/index.html"
# nginx workers run as an unprivileged user when started as root: they must be able to read the file.
chmod 755 "$tmp" "$tmp/www"; chmod 644 "$tmp/www/index.html"

cat > "$tmp/backend/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/backend/nginx.pid;
error_log $tmp/backend/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18081 backlog=4096;
    root $tmp/www;
    location / { }
  }
}
CONF

cat > "$tmp/proxy/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $tmp/proxy/nginx.pid;
error_log $tmp/proxy/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream app {
    server 127.0.0.1:18081;
    keepalive 128;
  }
  server {
    listen 127.0.0.1:18082 backlog=4096;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
      add_header X-Content-Type-Options nosniff;
      add_header Referrer-Policy strict-origin-when-cross-origin;
      add_header X-Frame-Options SAMEORIGIN;
    }
  }
}
CONF

nginx -e "$tmp/backend/logs/error.log" -p "$tmp/backend" -c "$tmp/backend/nginx.conf" & pids+=($!)
nginx -e "$tmp/proxy/logs/error.log" -p "$tmp/proxy" -c "$tmp/proxy/nginx.conf" & pids+=($!)

echo "building and starting Poddle (Release)..." >&2
mkfifo "$tmp/poddle.in"
(cd "$root" && exec dotnet run -c Release bench/proxy-server.cs -- 18080 127.0.0.1 18081 < "$tmp/poddle.in" > "$tmp/poddle.out" 2> "$tmp/poddle.err") & pids+=($!)
exec 9> "$tmp/poddle.in"
for _ in $(seq 1 600); do
  grep -q READY "$tmp/poddle.out" 2>/dev/null && break
  if ! kill -0 "${pids[2]}" 2>/dev/null; then cat "$tmp/poddle.err" "$tmp/poddle.out" >&2; exit 1; fi
  sleep 0.5
done
grep -q READY "$tmp/poddle.out" || { echo "Poddle did not become ready" >&2; cat "$tmp/poddle.err" >&2; exit 1; }

for url in http://127.0.0.1:18081/index.html http://127.0.0.1:18082/index.html http://127.0.0.1:18080/index.html; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: web-bench.localhost' "$url")
  [ "$code" = 200 ] || { echo "$url answered $code" >&2; exit 1; }
done

# wrk's latency distribution in ms, whatever unit it prints.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f\n", v }'; }
measure() { # name url
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -H 'Host: web-bench.localhost' "$2")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)
  errors=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')
  echo "$1 $rps $p50 $p99" >> "$tmp/results"
  printf '  %-7s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms %s\n' "$1" "$rps" "$p50" "$p99" "$errors" >&2
}

# Warm-up (JIT, connection pools), not counted.
wrk -t"$threads" -c"$connections" -d5s -H 'Host: web-bench.localhost' http://127.0.0.1:18080/index.html > /dev/null
wrk -t"$threads" -c"$connections" -d2s -H 'Host: web-bench.localhost' http://127.0.0.1:18082/index.html > /dev/null

: > "$tmp/results"
for run in $(seq 1 "$runs"); do
  echo "run $run/$runs (wrk -t$threads -c$connections -d$duration --latency)" >&2
  measure direct http://127.0.0.1:18081/index.html
  measure nginx http://127.0.0.1:18082/index.html
  measure poddle http://127.0.0.1:18080/index.html
done

median() { sort -g | awk '{ a[NR]=$1 } END { print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2 }'; }
echo
echo "median of $runs runs; wrk -t$threads -c$connections -d$duration; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-8s | %10s | %9s | %9s |\n' target 'req/s' 'p50 ms' 'p99 ms'
printf '|----------|-----------:|----------:|----------:|\n'
for name in direct nginx poddle; do
  rps=$(awk -v n=$name '$1 == n { print $2 }' "$tmp/results" | median)
  p50=$(awk -v n=$name '$1 == n { print $3 }' "$tmp/results" | median)
  p99=$(awk -v n=$name '$1 == n { print $4 }' "$tmp/results" | median)
  printf '| %-8s | %10.0f | %9.3f | %9.3f |\n' "$name" "$rps" "$p50" "$p99"
  eval "${name}_rps=$rps ${name}_p99=$p99"
done
awk -v pr="$poddle_rps" -v nr="$nginx_rps" -v pp="$poddle_p99" -v np="$nginx_p99" 'BEGIN {
  printf "poddle/nginx requests/s: %.0f%% (target >= 70%%)\npoddle/nginx p99: %.2fx (target <= 2x)\n", 100 * pr / nr, pp / np }'
exec 9>&-
