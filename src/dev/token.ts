// Entry point of `npm run token` (bundled to dist/dev/token.mjs).
import { main } from "./token-cli.js";

process.exitCode = main(process.argv.slice(2));
