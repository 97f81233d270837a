// A burst through the real runpod-sdk, unchanged (baseUrl <server>/v2): submits <count> jobs with endpoint.run, each
// sleeping <sleep> seconds in the worker, then reads endpoint.status until every one is final, and endpoint.health.
// Usage: node burst.mjs <server> <api token> <pool> <count> <sleep seconds>
// runpod-sdk prints progress with console.log, so the answers go out as one last line prefixed RESULT:.
import runpodSdk from "runpod-sdk";

const [server, apiKey, poolId, count, sleepSeconds] = process.argv.slice(2);
const runpod = runpodSdk(apiKey, { baseUrl: `${server}/v2` });
const endpoint = runpod.endpoint(poolId);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const final = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"]);

const submitted = [];
for (let n = 0; n < Number(count); n++) {
  const job = await endpoint.run({ input: { n, sleep: Number(sleepSeconds) } });
  submitted.push({ n, id: job.id, status: job.status });
}

const jobs = {};
const deadline = Date.now() + 150_000;
for (const { n, id } of submitted) {
  for (;;) {
    const status = await endpoint.status(id);
    if (final.has(status.status) || Date.now() > deadline) {
      jobs[id] = { n, status: status.status, output: status.output ?? null, workerId: status.workerId ?? null };
      break;
    }
    await sleep(200);
  }
}

console.log("RESULT:" + JSON.stringify({ submitted, jobs, health: await endpoint.health() }));
