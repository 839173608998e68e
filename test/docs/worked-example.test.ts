import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_PROJECT } from "../support/fixture-project.js";
import { ROOT } from "../support/local-config.js";

// The README's worked example, done as a policy author would do it, on a copy of the project with the
// reference policies: every code block of the section, in order. A `cedar` block adds the policy (the
// first) or replaces its `when` line (later ones), the `yaml` block is the scenario file, and each `text`
// block's `$ npx ztpdp …` commands run the built bin and must print what the README shows (a `...` line
// stands for lines left out; timings are ignored). Then CI's policy checks must pass.

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const BIN = join(ROOT, "dist/cli/ztpdp.mjs");

interface Block {
  lang: string;
  body: string;
  /** The prose just before the block. */
  before: string;
}

function workedExample(): Block[] {
  const start = README.indexOf("### Worked example");
  const end = README.indexOf("\n## ", start);
  expect(start).toBeGreaterThan(0);
  const section = README.slice(start, end);
  const blocks: Block[] = [];
  let last = 0;
  for (const m of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    blocks.push({ lang: m[1]!, body: m[2]!, before: section.slice(last, m.index) });
    last = m.index! + m[0].length;
  }
  return blocks;
}

/** Splits `npx ztpdp explain --case "two words"` like a shell (double quotes only, as the README uses). */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

async function ztpdp(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, ZTPDP_CONFIG: "" } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, out: (e.stdout ?? "") + (e.stderr ?? "") };
  }
}

const untimed = (line: string) => line.replace(/ in [\d.]+ s$/, " in N s").trimEnd();

/** Each run of expected lines between `...` must appear, consecutively, after the previous one. */
function expectOutput(actual: string, expected: string[], command: string): void {
  const lines = actual.split("\n").map(untimed);
  const chunks: string[][] = [[]];
  for (const line of expected) {
    if (line.trim() === "...") chunks.push([]);
    else chunks.at(-1)!.push(untimed(line));
  }
  let from = 0;
  for (const chunk of chunks.filter((c) => c.length > 0)) {
    let at = -1;
    for (let i = from; i + chunk.length <= lines.length && at < 0; i++) if (chunk.every((l, k) => lines[i + k] === l)) at = i;
    expect(at, `\`${command}\` should print:\n${chunk.join("\n")}\n\nit printed:\n${actual}`).toBeGreaterThanOrEqual(0);
    from = at + chunk.length;
  }
}

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "ztpdp-worked-example-"));
  cpSync(join(FIXTURE_PROJECT, "config"), join(project, "config"), { recursive: true });
  cpSync(join(FIXTURE_PROJECT, "policies"), join(project, "policies"), { recursive: true });
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("the README's worked example", () => {
  it("works as written, and leaves CI's policy checks green", async () => {
    const blocks = workedExample();
    expect(blocks.map((b) => b.lang)).toEqual(["cedar", "text", "yaml", "text", "text", "cedar", "text"]);
    let policyFile = "";
    let addedPolicy = "";
    for (const block of blocks) {
      if (block.lang === "cedar" && policyFile === "") {
        policyFile = /Add a policy to `([^`]+)`/.exec(block.before)![1]!;
        addedPolicy = block.body;
        appendFileSync(join(project, policyFile), `\n${block.body}`);
      } else if (block.lang === "cedar") {
        const oldWhen = /^when \{.*\};$/m.exec(addedPolicy)![0];
        const text = readFileSync(join(project, policyFile), "utf8");
        expect(text).toContain(oldWhen);
        writeFileSync(join(project, policyFile), text.replace(oldWhen, block.body.trim()));
      } else if (block.lang === "yaml") {
        const file = /in `(policies\/tests\/[^`]+\.yaml)`/.exec(block.before)![1]!;
        writeFileSync(join(project, file), block.body);
      } else {
        // `$ command` lines, each followed by its expected output.
        const steps: Array<{ command: string; expected: string[] }> = [];
        for (const line of block.body.trimEnd().split("\n")) {
          if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: [] });
          else steps.at(-1)!.expected.push(line);
        }
        for (const { command, expected } of steps) {
          const [npx, bin, ...args] = words(command);
          expect(`${npx} ${bin}`).toBe("npx ztpdp");
          expectOutput((await ztpdp(project, args)).out, expected, command);
        }
      }
    }
    // What CI runs (package.json `policy:check`).
    for (const args of [["validate", "--warnings-as-errors"], ["fmt", "--check"], ["test", "--require-coverage"]]) {
      const r = await ztpdp(project, args);
      expect(r.code, `ztpdp ${args.join(" ")}:\n${r.out}`).toBe(0);
    }
  }, 120_000);
});
