import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, startFixture } from "../fixture.js";

export interface ColdStartReport {
  runs: number;
  /** Parent-measured: fork() to the first decision's answer, median (includes Node's own start). */
  cold_start_ms: number;
  /** Child-measured: performance.now() at the first answer (ms since the process time origin), median. */
  in_process_ms: number;
  samples_ms: number[];
}

/** Several fresh processes, each importing the built handler and answering one event. */
export async function coldStartGroup(runs: number): Promise<ColdStartReport> {
  const fixture = await startFixture();
  const eventFile = join(fixture.configFile, "..", "event.json");
  writeFileSync(eventFile, JSON.stringify(fixture.event(fixture.userToken(), fixture.deviceToken())));
  const samples: number[] = [];
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    const child = fork(join(REPO, ".bench-out/coldstart-probe.mjs"), [join(REPO, "dist/rest-authorizer/index.mjs"), eventFile], {
      env: { ...process.env, ZTPDP_CONFIG: fixture.configFile },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const reported = await new Promise<{ ms: number; effect: string }>((resolve, reject) => {
      child.once("message", (m) => resolve(m as { ms: number; effect: string }));
      child.once("exit", (code) => reject(new Error(`cold-start probe exited with ${code}`)));
    });
    samples.push(Math.round((performance.now() - t0) * 10) / 10);
    inProcess.push(Math.round(reported.ms * 10) / 10);
    if (reported.effect !== "Allow") throw new Error(`cold-start probe was not allowed: ${reported.effect}`);
    await new Promise((resolve) => child.once("exit", resolve));
  }
  await fixture.close();
  return { runs, cold_start_ms: median(samples), in_process_ms: median(inProcess), samples_ms: samples };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
