import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { validateTemplate } from "./cfn-validate.js";

/** The folder of CloudFormation snippets for attaching the authorizers to existing APIs (README). */
export const ATTACH_DIR = "deploy/attach";

/**
 * What `npm run package` checks after the framework has built the template: the generated stack and
 * every attach-to-your-API snippet, against the CloudFormation resource specification (cfn-validate.ts).
 */
export function validateProjectTemplates(root: string, generated: unknown): string[] {
  const problems = validateTemplate(generated, "generated template");
  const dir = join(root, ATTACH_DIR);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort()) {
    const shown = `${ATTACH_DIR}/${file}`;
    let template: unknown;
    try {
      // Long-form intrinsics (`Fn::Sub`, `Ref`) keep the snippets plain YAML that any tool reads.
      template = parse(readFileSync(join(dir, file), "utf8"), { uniqueKeys: true });
    } catch (err) {
      problems.push(`${shown}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
      continue;
    }
    problems.push(...validateTemplate(template, shown));
  }
  return problems;
}
