// Entry point of `npm run ava` (bundled to dist/dev/ava.mjs).
import { main } from "./ava-cli.js";

process.exitCode = await main(process.argv.slice(2));
