"""A no-op pool worker for bench/pool-jobs.cs, speaking RunPod's worker protocol the way runpod-python does (job-take
with &job_in_progress=0, results as JSON text, the key raw in Authorization, pings every RUNPOD_PING_INTERVAL ms),
with the standard library only and one kept-alive connection for jobs (as the SDK's aiohttp session keeps one).
The handler returns its input: what is measured is the platform's overhead, not the handler's."""

import http.client
import json
import os
import threading
import time
import urllib.parse

WORKER_ID = os.environ["RUNPOD_POD_ID"]
KEY = os.environ["RUNPOD_AI_API_KEY"]
GET_JOB = os.environ["RUNPOD_WEBHOOK_GET_JOB"].replace("$ID", WORKER_ID) + "&job_in_progress=0"
POST_OUTPUT = os.environ["RUNPOD_WEBHOOK_POST_OUTPUT"].replace("$RUNPOD_POD_ID", WORKER_ID)
PING = os.environ["RUNPOD_WEBHOOK_PING"].replace("$RUNPOD_POD_ID", WORKER_ID)
PING_INTERVAL = max(int(os.environ.get("RUNPOD_PING_INTERVAL", "10000")) / 1000, 0.5)


class Client:
    """One kept-alive HTTP/1.1 connection, opened again after an error."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.connection = None

    def call(self, url, body=None):
        parts = urllib.parse.urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        headers = {"Authorization": KEY}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(3):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
                self.connection.request("GET" if body is None else "POST", path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                print("request failed:", error, flush=True)
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                time.sleep(0.2 * (attempt + 1))
        return 0, b""


def pinger():
    client = Client(PING)
    while True:
        client.call(PING + "?job_id=&runpod_version=bench")
        time.sleep(PING_INTERVAL)


def main():
    threading.Thread(target=pinger, daemon=True).start()
    jobs = Client(GET_JOB)
    print("worker", WORKER_ID, "taking jobs", flush=True)
    while True:
        status, body = jobs.call(GET_JOB)
        if status != 200:
            if status == 0:
                time.sleep(1)
            continue
        job = json.loads(body)
        result = json.dumps({"output": job.get("input")}).encode("utf-8")
        jobs.call(POST_OUTPUT.replace("$ID", job["id"]) + "&isStream=false", result)


if __name__ == "__main__":
    main()
