// .ci/run: the quick start's first request against a running `npm start`. Its authorizer must decide it:
// 200 with the reference policies, 403 if policy authors changed them (CI does not judge policies/ here).
import { execFileSync } from "node:child_process";

const url = process.argv[2];
const minted = JSON.parse(execFileSync(process.execPath, ["dist/dev/token.mjs", "--json", "--user", "alice", "--groups", "Employees", "--device", "patched", "--provider", "jamf"], { encoding: "utf8" }));
const res = await fetch(url, { headers: { authorization: `Bearer ${minted.token}`, "x-device-token": minted.deviceToken } });
console.log(`local stack beside the tests: GET ${url} -> ${res.status}`);
process.exit(res.status === 200 || res.status === 403 ? 0 : 1);
