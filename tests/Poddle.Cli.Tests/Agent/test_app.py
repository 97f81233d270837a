# The app the agent end-to-end tests supervise. argv[1] is the behaviour; files in the working directory are the
# test's controls and observations.
import http.server
import os
import signal
import sys
import time

mode = sys.argv[1]
here = os.getcwd()


def mark(name, text=""):
    with open(os.path.join(here, name), "a") as f:
        f.write(text + "\n")


if mode == "exit-now":
    mark("starts", str(time.time()))
    sys.exit(int(sys.argv[2]))

if mode == "crash":  # run a while, then fail
    mark("starts", str(time.time()))
    time.sleep(float(sys.argv[2]))
    sys.exit(int(sys.argv[3]))

if mode == "graceful":  # a SIGTERM handler that cleans up and exits 0
    def on_term(signum, frame):
        mark("got-signal", str(signum))
        sys.exit(0)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    mark("ready", str(os.getpid()))
    while True:
        time.sleep(0.1)

if mode == "ignore-term":  # hangs and ignores SIGTERM; has a child in its process group
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = os.fork()
    if child == 0:
        time.sleep(300)
        os._exit(0)
    mark("child", str(child))
    mark("ready", str(os.getpid()))
    while True:
        time.sleep(0.1)

if mode == "serve":  # python's own http.server: SIGTERM kills it (default disposition)
    port = int(sys.argv[2])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status = 200
            if os.path.exists(os.path.join(here, "fail")):
                status = 500
            if os.path.exists(os.path.join(here, "hang")):
                time.sleep(3600)
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b'{"status":"healthy"}' if status == 200 else b"error")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    mark("ready", str(os.getpid()))
    server.serve_forever()

if mode == "orphans":  # leaves orphans that die: zombies for whoever inherits them
    count = int(sys.argv[2])
    agent = os.getppid()
    for i in range(count):
        child = os.fork()
        if child == 0:
            if os.fork() == 0:
                time.sleep(0.5)  # by now its parent is gone: it was re-parented
                mark("orphan-parents", str(os.getppid()))
                os._exit(0)
            os._exit(0)
        os.waitpid(child, 0)
    time.sleep(4)
    zombies = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z" and int(fields[1]) == agent:
            zombies += 1
    mark("result", "agent=%d zombies=%d" % (agent, zombies))
    sys.exit(7)

print("unknown mode " + mode, file=sys.stderr)
sys.exit(64)
