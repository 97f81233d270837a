"""A pool worker written the way RunPod's worker SDK (runpod-python) works, with the standard library only.

What it does as the SDK does (runpod/serverless/modules/rp_job.py, rp_http.py, rp_ping.py):
- takes jobs from RUNPOD_WEBHOOK_GET_JOB with $ID replaced by RUNPOD_POD_ID, appending &job_in_progress=0 (the
  template already carries a query string); 200 {id, input} or 204;
- posts each result to RUNPOD_WEBHOOK_POST_OUTPUT ($RUNPOD_POD_ID -> the worker id, $ID -> the job id, plus
  &isStream=false) as JSON text with Content-Type application/x-www-form-urlencoded;
- sends Authorization: RUNPOD_AI_API_KEY, raw;
- pings RUNPOD_WEBHOOK_PING every RUNPOD_PING_INTERVAL milliseconds from a thread, with ?job_id=<held job ids>.

The handler: input {"n": N, "sleep": S} -> output {"double": 2N, "worker": <worker id>} after sleeping S seconds (and, with "until_server_back": true, until a ping went through again after one failed). Each
handler run that ends prints "executed <job id>" (the tests count a job's actual executions in the pods' logs).
"""

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

WORKER_ID = os.environ["RUNPOD_POD_ID"]
KEY = os.environ["RUNPOD_AI_API_KEY"]
GET_JOB = os.environ["RUNPOD_WEBHOOK_GET_JOB"].replace("$ID", WORKER_ID)
POST_OUTPUT = os.environ["RUNPOD_WEBHOOK_POST_OUTPUT"].replace("$RUNPOD_POD_ID", WORKER_ID)
PING = os.environ["RUNPOD_WEBHOOK_PING"].replace("$RUNPOD_POD_ID", WORKER_ID)
PING_INTERVAL = int(os.environ.get("RUNPOD_PING_INTERVAL", "10000")) // 1000 or 1

held = set()
held_lock = threading.Lock()
ping_failed = threading.Event()  # a ping failed: no server listened
server_back = threading.Event()  # a ping succeeded after one failed


def call(url, body=None, timeout=90):
    headers = {"Authorization": KEY}
    if body is not None:
        headers["charset"] = "utf-8"
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers=headers, method="GET" if body is None else "POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


def pinger():
    while True:
        with held_lock:
            job_ids = ",".join(sorted(held))
        try:
            call(PING + "?" + urllib.parse.urlencode({"job_id": job_ids}), timeout=PING_INTERVAL * 2)
            if ping_failed.is_set():
                server_back.set()
        except (urllib.error.URLError, OSError) as error:
            ping_failed.set()
            print("ping failed:", error, flush=True)
        time.sleep(PING_INTERVAL)


def handler(job):
    job_input = job["input"] or {}
    time.sleep(float(job_input.get("sleep", 0)))
    if job_input.get("until_server_back"):
        # Held while the server is killed and restarted: ends once pings went through again (the server-kill test).
        server_back.wait(timeout=300)
    return {"double": int(job_input.get("n", 0)) * 2, "worker": WORKER_ID}


def send_result(job, result):
    url = POST_OUTPUT.replace("$ID", job["id"]) + "&isStream=false"
    body = json.dumps(result, ensure_ascii=False).encode("utf-8")
    for attempt in range(3):  # the SDK retries a result three times (FibonacciRetry(attempts=3))
        try:
            call(url, body)
            return
        except (urllib.error.URLError, OSError) as error:
            print("result failed:", error, flush=True)
            time.sleep(attempt + 1)


def main():
    threading.Thread(target=pinger, daemon=True).start()
    print("worker", WORKER_ID, "taking jobs", flush=True)
    while True:
        try:
            status, body = call(GET_JOB + "&job_in_progress=0")
        except (urllib.error.URLError, OSError) as error:
            print("take failed:", error, flush=True)
            time.sleep(1)
            continue
        if status == 204 or not body:
            continue
        job = json.loads(body)
        with held_lock:
            held.add(job["id"])
        try:
            result = {"output": handler(job)}
            print("executed", job["id"], flush=True)
        except Exception as error:  # the SDK reports a handler's exception as the job's error
            result = {"error": str(error)}
        send_result(job, result)
        with held_lock:
            held.discard(job["id"])


if __name__ == "__main__":
    main()
