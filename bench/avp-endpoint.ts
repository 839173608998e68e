// A local Verified Permissions endpoint in its own process (bench/run.mjs bundles this next to the worker):
// the remote engine's calls then cross a process boundary, and the endpoint's work (parsing, Cedar) is not
// charged to the measured authorizer. Sends its URL over IPC and serves until the parent disconnects.
import { startLocalAvp } from "../src/dev/avp/server.js";

const avp = await startLocalAvp();
process.send?.({ url: avp.url });
process.on("disconnect", () => void avp.close().then(() => process.exit(0)));
