/**
 * Offline ARM validation (stage 7): resource types and API versions from the catalogue, every dependsOn,
 * resourceId() and reference() resolving to a resource of the template, every parameter and variable
 * referenced declared, and the SKUs matching the environment. Each problem names its path in the template.
 */
import { z } from 'zod';
import { InvalidParametersError, type FieldIssue } from '../../../errors/index.js';
import { catalogueEntry, specSkuOf } from './catalogue.js';
import { DeployTimeValue, evaluate, ExpressionError, type ArmValue, type EvaluationContext } from './expressions.js';
import { REQUIRED_SKUS, type Environment } from './spec.js';

const JsonRecord = z.record(z.string(), z.unknown());
const TemplateShape = z.object({
  $schema: z.string(),
  contentVersion: z.string(),
  parameters: z
    .record(z.string(), z.object({ type: z.string(), defaultValue: z.unknown().optional(), allowedValues: z.array(z.unknown()).optional() }).loose())
    .default({}),
  variables: JsonRecord.default({}),
  resources: z.array(
    z
      .object({
        type: z.string(),
        apiVersion: z.string(),
        name: z.string(),
        dependsOn: z.array(z.string()).optional(),
        sku: JsonRecord.optional(),
      })
      .loose(),
  ),
  outputs: JsonRecord.optional(),
});
const ParameterFileShape = z.object({ parameters: z.record(z.string(), z.object({ value: z.unknown() })) });

/** A resource as it would be deployed: names evaluated, SKU in the spec's vocabulary. */
export interface ResolvedResource {
  type: string;
  name: string;
  apiVersion: string;
  /** The spec's SKU name (B1, P1v2, Premium, Standard_LRS ...), when the resource has one. */
  sku?: string;
  instances: number;
  /** The resource's other settings, evaluated (deploy-time values shown as <...>), for planned changes. */
  settings: Record<string, unknown>;
}

export interface ArmValidation {
  issues: FieldIssue[];
  resources: ResolvedResource[];
}

/** The SKUs a resource type may use in an environment, over both templates' rules. */
function allowedSkus(type: string, environment: Environment): string[] | undefined {
  const rules = Object.values(REQUIRED_SKUS).map((byEnv) => byEnv[environment]);
  const key = { 'microsoft.web/serverfarms': 'plan', 'microsoft.sql/servers/databases': 'database', 'microsoft.storage/storageaccounts': 'storage' }[
    type.toLowerCase()
  ] as 'plan' | 'database' | 'storage' | undefined;
  if (!key) return undefined;
  return [...new Set(rules.map((r) => r[key]).filter((s): s is NonNullable<typeof s> => s !== undefined))];
}

const plain = (value: ArmValue): unknown => {
  if (value instanceof DeployTimeValue) return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
};

/** Validates a template with one environment's parameter file; returns every issue found, and the resources. */
export function validateArm(templateInput: unknown, parameterFileInput: unknown, environment: Environment): ArmValidation {
  const issues: FieldIssue[] = [];
  const shape = TemplateShape.safeParse(templateInput);
  if (!shape.success) {
    return { issues: shape.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })), resources: [] };
  }
  const template = shape.data;
  const fileShape = ParameterFileShape.safeParse(parameterFileInput);
  if (!fileShape.success) {
    return { issues: fileShape.error.issues.map((i) => ({ path: `parameterFile.${i.path.join('.')}`, message: i.message })), resources: [] };
  }
  const supplied = fileShape.data.parameters;

  for (const name of Object.keys(supplied)) {
    if (!(name in template.parameters)) issues.push({ path: `parameterFile.parameters.${name}`, message: `is not a parameter of the template` });
  }
  for (const [name, declared] of Object.entries(template.parameters)) {
    const given = supplied[name];
    // A securestring without default is given at deployment time (never stored in a parameter file).
    if (!given && declared.defaultValue === undefined && declared.type.toLowerCase() !== 'securestring') {
      issues.push({ path: `parameters.${name}`, message: `has no default and no value in the ${environment} parameter file` });
    }
    if (given && declared.allowedValues && !declared.allowedValues.some((v) => JSON.stringify(v) === JSON.stringify(given.value))) {
      issues.push({
        path: `parameterFile.parameters.${name}`,
        message: `${JSON.stringify(given.value)} is not one of ${JSON.stringify(declared.allowedValues)}`,
      });
    }
  }

  // Names first (they may use parameters and variables only), so references can be checked against them.
  const names: (string | undefined)[] = [];
  let checking = false;
  const variablesInProgress = new Set<string>();
  const ctx: EvaluationContext = {
    parameter(name) {
      const declared = template.parameters[name];
      if (!declared) throw new ExpressionError(`parameter '${name}' is not declared in the template's parameters`);
      const given = supplied[name];
      if (given) return given.value as ArmValue;
      if (declared.defaultValue !== undefined) return evaluateValue(declared.defaultValue);
      return new DeployTimeValue(`parameter ${name}`);
    },
    variable(name) {
      if (!(name in template.variables)) throw new ExpressionError(`variable '${name}' is not declared in the template's variables`);
      if (variablesInProgress.has(name)) throw new ExpressionError(`variable '${name}' refers to itself`);
      variablesInProgress.add(name);
      try {
        return evaluateValue(template.variables[name]);
      } finally {
        variablesInProgress.delete(name);
      }
    },
    resolveResourceId(type, name) {
      if (!checking) return;
      const found = template.resources.some((r, i) => r.type.toLowerCase() === type.toLowerCase() && names[i] === name);
      if (!found) throw new ExpressionError(`resourceId('${type}', '${name}') names no resource of the template`);
    },
    resolveReference(nameOrId) {
      if (!checking || nameOrId.startsWith('/subscriptions/')) return; // a resourceId() argument, checked by resourceId itself
      if (!names.includes(nameOrId)) throw new ExpressionError(`reference to '${nameOrId}' names no resource of the template`);
    },
  };
  function evaluateValue(value: unknown): ArmValue {
    if (typeof value === 'string') return evaluate(value, ctx);
    if (Array.isArray(value)) return value.map(evaluateValue);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(v)]));
    return value as ArmValue;
  }
  /** Evaluates every string under a value, recording each failure with its path; the value as far as it goes. */
  function walk(value: unknown, path: string): unknown {
    try {
      if (typeof value === 'string') return plain(evaluate(value, ctx));
    } catch (error) {
      issues.push({ path, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    return value;
  }

  template.resources.forEach((resource, i) => {
    const name = walk(resource.name, `resources[${i}].name`);
    names.push(typeof name === 'string' ? name : undefined);
  });
  const seen = new Set<string>();
  template.resources.forEach((resource, i) => {
    const key = `${resource.type.toLowerCase()} ${names[i] ?? ''}`;
    if (seen.has(key)) issues.push({ path: `resources[${i}].name`, message: `${resource.type} "${names[i] ?? ''}" is declared twice` });
    seen.add(key);
  });

  checking = true;
  const resources: ResolvedResource[] = [];
  template.resources.forEach((resource, i) => {
    const at = `resources[${i}]`;
    const entry = catalogueEntry(resource.type);
    if (!entry) issues.push({ path: `${at}.type`, message: `${resource.type} is not in the catalogue` });
    else if (!entry.apiVersions.includes(resource.apiVersion)) {
      issues.push({
        path: `${at}.apiVersion`,
        message: `${resource.apiVersion} is not an API version of ${resource.type} (known: ${entry.apiVersions.join(', ')})`,
      });
    }
    (resource.dependsOn ?? []).forEach((dependency, d) => {
      const path = `${at}.dependsOn[${d}]`;
      const target = walk(dependency, path);
      if (typeof target === 'string' && !target.startsWith('/subscriptions/') && !names.includes(target)) {
        issues.push({ path, message: `depends on "${target}", which names no resource of the template` });
      }
    });
    const { type, apiVersion } = resource;
    // Everything but the identity and the dependencies is a setting (name and dependsOn were checked above).
    const rest = Object.fromEntries(Object.entries(resource).filter(([key]) => !['type', 'apiVersion', 'name', 'dependsOn'].includes(key)));
    const settings = walk(rest, at) as Record<string, unknown>;
    const sku = settings.sku as { name?: unknown; capacity?: unknown } | undefined;
    const skuName = specSkuOf(type, typeof sku?.name === 'string' ? sku.name : undefined);
    const allowed = allowedSkus(type, environment);
    if (allowed && skuName === undefined) issues.push({ path: `${at}.sku.name`, message: `${type} needs a SKU` });
    else if (allowed && skuName !== undefined && !allowed.includes(skuName)) {
      issues.push({ path: `${at}.sku.name`, message: `${skuName} is not allowed in ${environment} (allowed: ${allowed.join(', ')})` });
    }
    const capacity = typeof sku?.capacity === 'number' ? sku.capacity : 1;
    // Prod's P1v2 runs two instances (issue 18), so one instance is a different, cheaper deployment than approved.
    if (skuName === 'P1v2' && capacity < 2) issues.push({ path: `${at}.sku.capacity`, message: `P1v2 runs two instances, not ${capacity}` });
    resources.push({
      type,
      name: names[i] ?? resource.name,
      apiVersion,
      ...(skuName === undefined ? {} : { sku: skuName }),
      instances: Math.max(1, capacity),
      settings,
    });
  });
  walk(template.outputs ?? {}, 'outputs');
  return { issues, resources };
}

/** Validates and throws INVALID_PARAMETERS listing every problem with its path; the resources otherwise. */
export function assertValidArm(template: unknown, parameterFile: unknown, environment: Environment): ResolvedResource[] {
  const { issues, resources } = validateArm(template, parameterFile, environment);
  if (issues.length > 0) throw new InvalidParametersError(`ARM template refused for ${environment}`, issues);
  return resources;
}
