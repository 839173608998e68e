// Entry point of the `ztpdp` bin (bundled to dist/cli/ztpdp.mjs by scripts/build.mjs). The same module
// is the entry of its helper thread (scenario parsing for big suites), told apart by `workerData`. The
// imports are dynamic so the helper never initializes what it does not use (Cedar's wasm, zod).
import { isMainThread } from "node:worker_threads";
import { isParseTask } from "./scenario/parse-task.js";

if (!isMainThread && isParseTask()) {
  const { runParseTask } = await import("./scenario/parse-worker.js");
  runParseTask();
} else {
  const [{ processIo }, { run }] = await Promise.all([import("./io.js"), import("./run.js")]);
  // `ztpdp test | head` closes stdout early: that is not an error worth a stack trace.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  process.exitCode = await run(process.argv.slice(2), { ...processIo(), workerEntry: new URL(import.meta.url) });
}
