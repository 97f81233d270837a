// Runs Python and C through the npm package piston-client, unchanged, against a Piston-compatible server and
// prints what it answered as one JSON document on stdout.
//
// Usage: node run.mjs SERVER_URL [TOKEN]
//
// piston-client sends no Authorization header (it has no option for one), so the server must allow anonymous
// Piston use (PODDLE_PISTON_ALLOW_ANONYMOUS=true). TOKEN is accepted so a future client can use it; this one cannot.
import piston from "piston-client";

const [server, token] = process.argv.slice(2);
if (!server) {
  console.error("usage: node run.mjs SERVER_URL [TOKEN]");
  process.exit(2);
}

const client = piston({ server });
const runtimes = await client.runtimes();
const python = await client.execute("python", "print(input())", { stdin: "from piston-client" });
const pythonByAlias = await client.execute({
  language: "py",
  version: "3.x",
  files: [{ name: "main.py", content: "print(input())" }],
  stdin: "by alias",
  args: [],
});
const c = await client.execute("c", '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
const cCompileError = await client.execute("c", "int main(void) { syntax error }\n");
const unknown = await client.execute({ language: "python", version: "9.x", files: [{ content: "print(1)" }] });

process.stdout.write(JSON.stringify({ tokenSent: false, tokenGiven: Boolean(token), runtimes, python, pythonByAlias, c, cCompileError, unknown }) + "\n");
