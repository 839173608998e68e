import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest folder above this module holding serverless.yml (works from src/ and from dist/dev/). */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "serverless.yml"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
