import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  compilePolicySources,
  describePolicySet,
  loadPolicyDir,
  readPolicyDir,
  type PolicyLoadResult,
} from "../../src/policy/loader.js";
import { PolicyLoadError, formatProblem, type PolicyProblem } from "../../src/policy/problems.js";
import { REFERENCE_DIR, REFERENCE_SCHEMA, fixture } from "./helpers.js";

const withSchema = { schemaPath: REFERENCE_SCHEMA };
const schemaText = readFileSync(REFERENCE_SCHEMA, "utf8");

function problemsOf(result: PolicyLoadResult): PolicyProblem[] {
  if (result.ok) throw new Error("expected the policy set to be refused");
  return result.problems;
}

const tmpDirs: string[] = [];
function tmpDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-policy-"));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the reference policies", () => {
  it("load under strict validation with no warnings", () => {
    const set = loadPolicyDir(REFERENCE_DIR, { warningsAsErrors: true });
    expect(set.policies.map((p) => [p.id, p.effect])).toEqual([
      ["data-perimeter-restricted", "forbid"],
      ["hr-read", "permit"],
      ["payments-order-service", "permit"],
      ["payments-only-order-service", "forbid"],
      ["status-read", "permit"],
      ["wiki-employees-read", "permit"],
      ["wiki-editors-write", "permit"],
    ]);
    expect(set.policies.every((p) => p.idSource === "annotation")).toBe(true);
    expect(set.revision).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(set.warnings).toEqual([]);
  });

  it("give the CLI each policy with its file, line and text", () => {
    const listing = describePolicySet(loadPolicyDir(REFERENCE_DIR));
    const wiki = listing.policies.find((p) => p.id === "wiki-editors-write");
    // The line is read from the file itself, so the test follows edits and `ztpdp fmt`.
    const lines = readFileSync(join(REFERENCE_DIR, "wiki.cedar"), "utf8").split("\n");
    const line = lines.indexOf('@id("wiki-editors-write")') + 1;
    expect(line).toBeGreaterThan(1);
    expect(wiki).toMatchObject({ file: join(REFERENCE_DIR, "wiki.cedar"), line, col: 1, effect: "permit" });
    expect(wiki?.text.startsWith('@id("wiki-editors-write")\npermit (')).toBe(true);
    expect(wiki?.text.endsWith("};")).toBe(true);
  });
});

describe("stable ids", () => {
  it("use @id, else <file>#<index in the file>, counting every policy in the file", () => {
    const set = loadPolicyDir(fixture("ids"), withSchema);
    expect(set.policies.map((p) => [p.id, p.idSource, p.line])).toEqual([
      ["a.cedar#0", "position", 2],
      ["custom-one", "annotation", 4],
      ["a.cedar#2", "position", 7],
      ["b.cedar#0", "position", 1],
    ]);
  });

  it("ignore files that are not *.cedar", () => {
    expect(loadPolicyDir(fixture("ids"), withSchema).policies.some((p) => p.file.endsWith("notes.txt"))).toBe(false);
  });

  it("take files in code-unit order, whatever the directory order", () => {
    const dir = tmpDir({ "b.cedar": 'permit (principal, action in Action::"read", resource);', "B.cedar": 'permit (principal, action in Action::"write", resource);', "a.cedar": 'forbid (principal, action in Action::"read", resource);' });
    expect(loadPolicyDir(dir, withSchema).policies.map((p) => p.id)).toEqual(["B.cedar#0", "a.cedar#0", "b.cedar#0"]);
  });

  it("refuse a duplicate id, naming both files", () => {
    const problems = problemsOf(readPolicyDir(fixture("duplicate-ids"), withSchema));
    expect(problems.map(formatProblem)).toEqual([
      `${fixture("duplicate-ids/two.cedar")}:4:1: duplicate policy id \`same\`: also used by the policy at ${fixture("duplicate-ids/one.cedar")}:1:1`,
    ]);
  });

  it("refuse an @id that a derived id already uses", () => {
    const dir = tmpDir({ "a.cedar": 'permit (principal, action in Action::"read", resource);\n', "b.cedar": '@id("a.cedar#0")\nforbid (principal, action in Action::"read", resource);\n' });
    const [p] = problemsOf(readPolicyDir(dir, withSchema));
    expect(p?.message).toContain("duplicate policy id `a.cedar#0`");
  });

  it.each([
    ['@id("has space")', "spaces"],
    ['@id("")', "empty"],
    ['@id("line\\nbreak")', "newline"],
    ["@id", "no value"],
    [`@id("${"x".repeat(129)}")`, "too long"],
  ])("refuse an unusable @id: %s (%s)", (annotation) => {
    const dir = tmpDir({ "p.cedar": `\n${annotation}\npermit (principal, action in Action::"read", resource);\n` });
    const problems = problemsOf(readPolicyDir(dir, withSchema));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: join(dir, "p.cedar"), line: 2, col: 1 });
    expect(problems[0]?.message).toMatch(/^`@id` must be/);
  });

  it("refuse a policy file whose name cannot make an id, rather than skip it", () => {
    const dir = tmpDir({ "has space.cedar": 'forbid (principal, action in Action::"read", resource);', ".#lock.cedar": "" });
    const problems = problemsOf(readPolicyDir(dir, withSchema));
    expect(problems.map((p) => p.file)).toEqual([join(dir, ".#lock.cedar"), join(dir, "has space.cedar")]);
  });
});

describe("problems with file:line:col", () => {
  it("report every syntax error, at its exact position after multi-byte characters", () => {
    const problems = problemsOf(readPolicyDir(fixture("syntax-error"), withSchema));
    const brokenLine = readFileSync(fixture("syntax-error/broken.cedar"), "utf8").split("\n")[10] ?? "";
    expect(brokenLine.indexOf("};")).toBe(40); // after `é😀`: 40 UTF-16 units, 43 UTF-8 bytes
    const second = readFileSync(fixture("syntax-error/second.cedar"), "utf8").trimEnd();
    expect(problems.map((p) => [p.file, p.line, p.col])).toEqual([
      [fixture("syntax-error/broken.cedar"), 11, 41],
      [fixture("syntax-error/second.cedar"), 1, second.length + 1],
    ]);
    expect(problems[0]?.message).toMatch(/^unexpected token `}`: expected /);
    expect(problems[1]?.message).toMatch(/^unexpected end of input/);
  });

  it("report validation errors at the expression, mapped from per-policy offsets to file positions", () => {
    const problems = problemsOf(readPolicyDir(fixture("validation-error"), withSchema));
    const errors = problems.filter((p) => p.severity === "error");
    expect(errors.map(formatProblem)).toEqual([
      `${fixture("validation-error/action.cedar")}:1:30: for policy \`action.cedar#0\`, unrecognized action \`Action::"raed"\`\n    help: did you mean \`Action::"read"\`?`,
      `${fixture("validation-error/attrs.cedar")}:10:25: for policy \`unknown-attribute\`, attribute \`device.nope\` in context for 3 actions not found\n    help: did you mean \`os\`?`,
    ]);
    const line10 = readFileSync(fixture("validation-error/attrs.cedar"), "utf8").split("\n")[9] ?? "";
    expect(line10.indexOf("context.device.nope")).toBe(24);
    expect(errors[1]?.policyId).toBe("unknown-attribute");
  });

  it("report schema errors in the schema file", () => {
    const problems = problemsOf(readPolicyDir(fixture("bad-schema")));
    expect(problems.map(formatProblem)).toEqual([
      `${fixture("bad-schema/schema.cedarschema")}:5:18: failed to resolve type: Aplication\n    help: \`Aplication\` has not been declared as an entity type`,
    ]);
    expect(readFileSync(fixture("bad-schema/schema.cedarschema"), "utf8").split("\n")[4]?.indexOf("Aplication")).toBe(17);
  });

  it("refuse templates with a clear error", () => {
    const problems = problemsOf(readPolicyDir(fixture("template"), withSchema));
    expect(problems.map(formatProblem)).toEqual([
      `${fixture("template/linked.cedar")}:4:1: policy templates (\`?principal\`, \`?resource\`) are not supported yet; write a static policy`,
    ]);
  });

  it("throw a PolicyLoadError listing every problem", () => {
    let thrown: unknown;
    try {
      loadPolicyDir(fixture("syntax-error"), withSchema);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PolicyLoadError);
    const error = thrown as PolicyLoadError;
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/^policy set refused: 2 problems\n/);
    expect(error.message).toContain(`${fixture("syntax-error/broken.cedar")}:11:41: unexpected token`);
    expect(error.message).toContain(`${fixture("syntax-error/second.cedar")}:1:`);
  });

  it("refuse a set with a warning when warnings are errors", () => {
    expect(readPolicyDir(fixture("ids"), withSchema).ok).toBe(true);
    const dir = tmpDir({ "w.cedar": 'permit (principal, action == Action::"read", resource);' });
    const lenient = readPolicyDir(dir, withSchema);
    expect(lenient.ok && lenient.policySet.warnings.map((w) => w.message)).toEqual([
      "for policy `w.cedar#0`, unable to find an applicable action given the policy scope constraints",
      "for policy `w.cedar#0`, policy is impossible: the policy expression evaluates to false for all valid requests",
    ]);
    expect(problemsOf(readPolicyDir(dir, { ...withSchema, warningsAsErrors: true })).every((p) => p.severity === "warning")).toBe(true);
  });
});

describe("directories and files", () => {
  it("load an empty directory as an empty policy set, with a warning", () => {
    const dir = tmpDir();
    const set = loadPolicyDir(dir, withSchema);
    expect(set.policies).toEqual([]);
    expect(set.warnings.map(formatProblem)).toEqual([`${dir}: warning: the policy set is empty: every request will be denied`]);
  });

  it("treat comment-only files as no policies", () => {
    const dir = tmpDir({ "empty.cedar": "// nothing here yet\n", "blank.cedar": "" });
    expect(loadPolicyDir(dir, withSchema).policies).toEqual([]);
  });

  it("need a schema", () => {
    const dir = tmpDir({ "a.cedar": "permit (principal, action, resource);" });
    expect(problemsOf(readPolicyDir(dir)).map(formatProblem)).toEqual([`${join(dir, "schema.cedarschema")}: cannot read file: ENOENT`]);
  });

  it("read schema.cedarschema from the directory by default", () => {
    const dir = tmpDir({ "schema.cedarschema": schemaText, "s.cedar": 'permit (principal, action in Action::"read", resource in Application::"status");' });
    expect(loadPolicyDir(dir).schemaFile).toBe(join(dir, "schema.cedarschema"));
  });

  it("report a missing directory", () => {
    const problems = problemsOf(readPolicyDir(join(tmpDir(), "nope"), withSchema));
    expect(problems[0]?.message).toBe("cannot read policy directory: ENOENT");
  });

  it("refuse invalid UTF-8, a directory named *.cedar, and a dangling symlink", () => {
    const dir = tmpDir();
    writeFileSync(join(dir, "latin1.cedar"), Buffer.from([0x2f, 0x2f, 0xe9, 0x0a]));
    mkdirSync(join(dir, "dir.cedar"));
    symlinkSync(join(dir, "missing"), join(dir, "link.cedar"));
    const problems = problemsOf(readPolicyDir(dir, withSchema));
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.message])).toEqual([
      ["dir.cedar", "not a regular file"],
      ["latin1.cedar", "cannot read file: not valid UTF-8"],
      ["link.cedar", "cannot read file: ENOENT"],
    ]);
  });

  it("report problems of readable files next to unreadable ones", () => {
    const dir = tmpDir({ "bad.cedar": "permit (principal, action, resource" });
    mkdirSync(join(dir, "dir.cedar"));
    expect(problemsOf(readPolicyDir(dir, withSchema)).map((p) => p.file.slice(dir.length + 1))).toEqual(["bad.cedar", "dir.cedar"]);
  });

  it("drop a UTF-8 BOM and count CRLF lines like LF lines", () => {
    const dir = tmpDir();
    const text = '\r\n@id("ok")\r\npermit (principal, action in Action::"read", resource);\r\nforbid (principal, action, resource) when { ) };\r\n';
    writeFileSync(join(dir, "crlf.cedar"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const [p] = problemsOf(readPolicyDir(dir, withSchema));
    expect(p).toMatchObject({ line: 4, col: 45 });
    writeFileSync(join(dir, "crlf.cedar"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(" ) }", " true }"))]));
    expect(loadPolicyDir(dir, withSchema).policies.map((x) => [x.id, x.line, x.col])).toEqual([["ok", 2, 1], ["crlf.cedar#1", 4, 1]]);
  });

  it("keep `;` and `//` inside strings out of the split", () => {
    const text = [
      "// a comment with a ; and a \"quote",
      '@id("tricky")',
      'permit (principal, action in Action::"read", resource) // trailing ; comment',
      'when { context.network.userAgent == "a;b//c\\"d;" && context.network.host like "*;*" };',
      'forbid (principal, action in Action::"read", resource) when { context.network.host == ";" };',
    ].join("\n");
    const result = compilePolicySources({ file: "schema.cedarschema", text: schemaText }, [{ file: "t.cedar", text }]);
    expect(result.ok && result.policySet.policies.map((p) => [p.id, p.line, p.text.length])).toEqual([
      ["tricky", 2, text.split("\n").slice(1, 4).join("\n").length],
      ["t.cedar#1", 5, text.split("\n")[4]?.length],
    ]);
  });
});
