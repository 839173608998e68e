import { workerData } from "node:worker_threads";

/**
 * The marker of the scenario-parsing helper thread. Kept in its own dependency-free module so the entry
 * point can recognise the task without loading the CLI (Cedar's wasm, zod, the policy loader).
 */
export const PARSE_TASK = "ztpdp-parse-scenarios";

export interface ParseTask {
  task: typeof PARSE_TASK;
  files: Array<{ file: string; shown: string }>;
}

export function isParseTask(data: unknown = workerData): data is ParseTask {
  return typeof data === "object" && data !== null && (data as Partial<ParseTask>).task === PARSE_TASK;
}
