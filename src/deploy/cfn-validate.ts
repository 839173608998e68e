import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Offline CloudFormation checks against the AWS CloudFormation Resource Specification (the JSON AWS
 * publishes, shipped in the npm package @aws-cdk/cfnspec): every resource type exists, every property is
 * known, required properties are present, literal values have the specified type (recursing into property
 * types), and every reference resolves: `Ref`, `Fn::GetAtt` (to a documented attribute), `Fn::Sub`
 * variables, `Fn::If` / `Condition` names, `DependsOn`. Intrinsic functions are not evaluated: what they
 * produce is only known at deploy time.
 * Spec format: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-resource-specification-format.html
 */

interface PropertySpec {
  Required?: boolean;
  PrimitiveType?: string;
  PrimitiveItemType?: string;
  Type?: string;
  ItemType?: string;
}
interface TypeSpec {
  Properties?: Record<string, PropertySpec>;
  Attributes?: Record<string, unknown>;
  /** Property types that are a single primitive value. */
  PrimitiveType?: string;
}
export interface ResourceSpecification {
  ResourceSpecificationVersion: string;
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
}

let cached: ResourceSpecification | undefined;
export function resourceSpecification(): ResourceSpecification {
  cached ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@aws-cdk/cfnspec/spec/specification.json"), "utf8")) as ResourceSpecification;
  return cached;
}

const PSEUDO_PARAMETERS = new Set(["AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"]);
const TOP_LEVEL = new Set(["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Transform", "Resources", "Outputs", "Rules"]);
const RESOURCE_KEYS = new Set(["Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy"]);
const PARAMETER_TYPES = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:]+|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::(Name|Value<.+>))$/;

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const intrinsic = (v: Json): [string, Json] | undefined => {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::") || keys[0] === "Condition") ? [keys[0]!, v[keys[0]!]] : undefined;
};

/** Every problem found in `template`, each prefixed with `name` and the path of the offending value. */
export function validateTemplate(template: Json, name: string, spec: ResourceSpecification = resourceSpecification()): string[] {
  const problems: string[] = [];
  const say = (path: string, message: string): void => void problems.push(`${name}: ${path}: ${message}`);
  if (!isObject(template)) return [`${name}: not a template (an object with Resources)`];
  for (const key of Object.keys(template)) if (!TOP_LEVEL.has(key)) say(key, "unknown top-level section");
  const resources = isObject(template.Resources) ? template.Resources : {};
  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  if (Object.keys(resources).length === 0) say("Resources", "at least one resource is required");

  for (const [id, p] of Object.entries(parameters)) {
    if (!isObject(p) || typeof p.Type !== "string" || !PARAMETER_TYPES.test(p.Type)) say(`Parameters.${id}.Type`, `not a parameter type: \`${String(isObject(p) ? p.Type : p)}\``);
  }

  /** Checks the references inside any value (properties, outputs, conditions). */
  const checkRefs = (value: Json, path: string): void => {
    const fn = intrinsic(value);
    if (fn) {
      const [op, arg] = fn;
      if (op === "Ref") {
        if (typeof arg !== "string" || !(arg in resources || arg in parameters || PSEUDO_PARAMETERS.has(arg))) say(path, `Ref to unknown \`${String(arg)}\``);
        return;
      }
      if (op === "Fn::GetAtt") {
        const [res, attr] = typeof arg === "string" ? [arg.slice(0, arg.indexOf(".")), arg.slice(arg.indexOf(".") + 1)] : Array.isArray(arg) ? arg : [];
        checkGetAtt(String(res), attr, path);
        return;
      }
      if (op === "Fn::Sub") {
        const [text, vars] = typeof arg === "string" ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [undefined, {}];
        if (typeof text !== "string") return say(path, "Fn::Sub needs a string");
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const ref = m[1]!.trim();
          if (isObject(vars) && ref in vars) continue;
          if (ref.includes(".")) checkGetAtt(ref.slice(0, ref.indexOf(".")), ref.slice(ref.indexOf(".") + 1), `${path} \${${ref}}`);
          else if (!(ref in resources || ref in parameters || PSEUDO_PARAMETERS.has(ref))) say(path, `Fn::Sub variable \`\${${ref}}\` is neither a parameter, a resource nor a pseudo parameter`);
        }
        if (isObject(vars)) for (const [k, v] of Object.entries(vars)) checkRefs(v, `${path}.${k}`);
        return;
      }
      if ((op === "Fn::If" || op === "Condition") && !(String(Array.isArray(arg) ? arg[0] : arg) in conditions)) say(path, `unknown condition \`${String(Array.isArray(arg) ? arg[0] : arg)}\``);
      const args = Array.isArray(arg) ? arg : [arg];
      args.forEach((a, i) => checkRefs(a, `${path}.${op}[${i}]`));
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => checkRefs(v, `${path}[${i}]`));
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) checkRefs(v, `${path}.${k}`);
  };
  const checkGetAtt = (res: string, attr: Json, path: string) => {
    const resource = resources[res];
    if (!isObject(resource)) return say(path, `Fn::GetAtt on unknown resource \`${res}\``);
    const type = spec.ResourceTypes[String(resource.Type)];
    if (type && typeof attr === "string" && !(attr in (type.Attributes ?? {}))) say(path, `\`${String(resource.Type)}\` has no attribute \`${attr}\``);
  };

  /** A literal value against its property spec (`owner` is the resource type, for property type names). */
  const checkValue = (value: Json, prop: PropertySpec, owner: string, path: string): void => {
    if (intrinsic(value)) return checkRefs(value, path);
    if (prop.PrimitiveType) return checkPrimitive(value, prop.PrimitiveType, path);
    if (prop.Type === "List") {
      if (!Array.isArray(value)) return say(path, "expected a list");
      value.forEach((item, i) =>
        prop.PrimitiveItemType ? (intrinsic(item) ? checkRefs(item, `${path}[${i}]`) : checkPrimitive(item, prop.PrimitiveItemType, `${path}[${i}]`)) : checkValue(item, { Type: prop.ItemType }, owner, `${path}[${i}]`),
      );
      return;
    }
    if (prop.Type === "Map") {
      if (!isObject(value)) return say(path, "expected a map");
      for (const [k, item] of Object.entries(value)) {
        if (prop.PrimitiveItemType) checkPrimitive(item, prop.PrimitiveItemType, `${path}.${k}`);
        else checkValue(item, { Type: prop.ItemType }, owner, `${path}.${k}`);
      }
      return;
    }
    if (prop.Type) {
      const typeSpec = spec.PropertyTypes[`${owner}.${prop.Type}`] ?? spec.PropertyTypes[prop.Type];
      if (!typeSpec) return say(path, `no property type \`${owner}.${prop.Type}\` in the specification`);
      if (typeSpec.PrimitiveType) return checkPrimitive(value, typeSpec.PrimitiveType, path);
      checkProperties(value, typeSpec, owner, path);
    }
  };
  const checkPrimitive = (value: Json, type: string, path: string): void => {
    if (intrinsic(value)) return checkRefs(value, path);
    const ok =
      type === "String"
        ? ["string", "number", "boolean"].includes(typeof value) // CloudFormation turns scalars into strings
        : type === "Integer" || type === "Long"
          ? (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value))
          : type === "Double"
            ? typeof value === "number" || (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)))
            : type === "Boolean"
              ? typeof value === "boolean" || value === "true" || value === "false"
              : type === "Json"
                ? isObject(value) || typeof value === "string"
                : type === "Timestamp"
                  ? typeof value === "string"
                  : true;
    if (!ok) say(path, `expected ${type}, got \`${JSON.stringify(value)}\``);
    else if (type === "Json") checkRefs(value, path);
  };
  const checkProperties = (value: Json, typeSpec: TypeSpec, owner: string, path: string): void => {
    if (!isObject(value)) return say(path, "expected an object");
    const known = typeSpec.Properties ?? {};
    for (const [k, v] of Object.entries(value)) {
      const prop = known[k];
      if (!prop) say(`${path}.${k}`, `unknown property (${Object.keys(known).join(", ")})`);
      else checkValue(v, prop, owner, `${path}.${k}`);
    }
    for (const [k, prop] of Object.entries(known)) if (prop.Required && !(k in value)) say(path, `required property \`${k}\` is missing`);
  };

  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    if (!/^[A-Za-z0-9]+$/.test(id)) say(path, "logical ids are alphanumeric");
    if (!isObject(resource)) {
      say(path, "not a resource");
      continue;
    }
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) say(`${path}.${key}`, "unknown resource attribute");
    const type = String(resource.Type);
    if (resource.Condition !== undefined && !(String(resource.Condition) in conditions)) say(`${path}.Condition`, `unknown condition \`${String(resource.Condition)}\``);
    for (const dep of [resource.DependsOn ?? []].flat()) if (!(String(dep) in resources)) say(`${path}.DependsOn`, `unknown resource \`${String(dep)}\``);
    if (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource") {
      checkRefs(resource.Properties ?? {}, `${path}.Properties`);
      continue;
    }
    const typeSpec = spec.ResourceTypes[type];
    if (!typeSpec) {
      say(`${path}.Type`, `unknown resource type \`${type}\``);
      continue;
    }
    checkProperties(resource.Properties ?? {}, typeSpec, type, `${path}.Properties`);
  }
  for (const [id, condition] of Object.entries(conditions)) checkRefs(condition, `Conditions.${id}`);
  for (const [id, output] of Object.entries(isObject(template.Outputs) ? template.Outputs : {})) {
    if (!isObject(output) || !("Value" in output)) say(`Outputs.${id}`, "an output needs a Value");
    else checkRefs(output, `Outputs.${id}`);
  }
  return problems;
}
