// Drives a Poddle pool through the real runpod-sdk, unchanged, with its baseUrl set to <server>/v2.
// Usage: node run.mjs <server> <api token> <pool with a worker> <pool without workers>
// runpod-sdk prints progress with console.log, so the answers go out as one last line prefixed RESULT:.
import runpodSdk from "runpod-sdk";

const [server, apiKey, poolId, idlePoolId] = process.argv.slice(2);
const runpod = runpodSdk(apiKey, { baseUrl: `${server}/v2` });
const endpoint = runpod.endpoint(poolId);
const idle = runpod.endpoint(idlePoolId);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const answers = {};

answers.healthBefore = await endpoint.health();

// run, then status until it is final
answers.run = await endpoint.run({ input: { n: 1 } });
for (let i = 0; i < 200; i++) {
  answers.status = await endpoint.status(answers.run.id);
  if (answers.status.completed) break;
  await sleep(50);
}

// runSync: queued and waited for on the server (?wait=)
answers.runSync = await endpoint.runSync({ input: { n: 21 } }, 30000);

// stream: the worker posts three chunks, then its result
const streamed = await endpoint.run({ input: { stream: ["a", "b", "c"] } });
answers.stream = [];
for await (const chunk of endpoint.stream(streamed.id, 30000)) {
  answers.stream.push(chunk);
}
answers.streamStatus = await endpoint.status(streamed.id);

// cancel: the worker holds this job and never answers it
const held = await endpoint.run({ input: { hold: true } });
for (let i = 0; i < 200; i++) {
  if ((await endpoint.status(held.id)).status === "IN_PROGRESS") break;
  await sleep(50);
}
answers.cancel = await endpoint.cancel(held.id);
answers.cancelledStatus = await endpoint.status(held.id);

// purgeQueue on a pool with no worker: its jobs stay queued until purged
await idle.run({ input: { n: 1 } });
await idle.run({ input: { n: 2 } });
answers.idleHealth = await idle.health();
answers.purge = await idle.purgeQueue();
answers.idleHealthAfter = await idle.health();

answers.healthAfter = await endpoint.health();
console.log("RESULT:" + JSON.stringify(answers));
