/**
 * The build pipeline's infrastructure input (stage 7): the small, structural part of an architecture
 * spec that infrastructure needs — template, app name and the SKUs per environment — and the SKU rules.
 */
import { z } from 'zod';
import { InvalidParametersError, type FieldIssue } from '../../../errors/index.js';
import { SKUS } from '../catalogue.js';

export const Environment = z.enum(['dev', 'staging', 'prod']);
export type Environment = z.infer<typeof Environment>;
export const ENVIRONMENTS: readonly Environment[] = Environment.options;

export const InfraTemplate = z.enum(['web-app-sql', 'function-app-storage']);
export type InfraTemplate = z.infer<typeof InfraTemplate>;

/** Plan SKUs: App Service B1/S1/P1v2 (both templates); Y1, the Functions consumption plan, is priced and valid but no environment requires it. */
export const PlanSku = z.enum(['B1', 'S1', 'P1v2', 'Y1']);
export type PlanSku = z.infer<typeof PlanSku>;
/** SQL Database DTU tiers as the seed names them (Basic, Standard = S0, Premium = P1). */
export const DatabaseSku = z.enum(['Basic', 'Standard', 'Premium']);
export type DatabaseSku = z.infer<typeof DatabaseSku>;
export const StorageSku = z.enum(['Standard_LRS']);
export type StorageSku = z.infer<typeof StorageSku>;

export const EnvironmentSkus = z.object({
  plan: PlanSku,
  database: DatabaseSku.optional(),
  storage: StorageSku.optional(),
});
export type EnvironmentSkus = z.infer<typeof EnvironmentSkus>;

/** App names become Azure resource names (storage accounts allow only 3–24 lower-case letters and digits). */
export const AppName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,18}[a-z0-9]$/, 'must be 3–20 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen');

export const InfraSpec = z.object({
  template: InfraTemplate,
  appName: AppName,
  skus: z.object({ dev: EnvironmentSkus, staging: EnvironmentSkus, prod: EnvironmentSkus }),
});
export type InfraSpec = z.infer<typeof InfraSpec>;

/**
 * The SKUs each environment must use, read from the architecture catalogue (../catalogue.ts) so the architect and
 * the infrastructure stage cannot disagree: dev B1 / Basic SQL, staging S1 / Standard SQL (S0), prod P1v2 / Premium
 * SQL (P1), for both templates (a function app runs on the same App Service plans; its storage is locally redundant).
 */
function requiredSkus(template: InfraTemplate, environment: Environment): EnvironmentSkus {
  const rows = SKUS.filter((r) => r.template === template && r.environment === environment);
  const skuOf = (service: string) => rows.find((r) => r.service === service)?.sku;
  // The seed names SQL databases by tier (Basic, Standard, Premium); the catalogue's SKU is the DTU size (Basic, S0, P1).
  const database = rows.find((r) => r.service === 'sql-database')?.tier;
  return EnvironmentSkus.parse({
    plan: skuOf('app-service-plan'),
    ...(database ? { database } : {}),
    ...(skuOf('storage-account') ? { storage: skuOf('storage-account') } : {}),
  });
}

export const REQUIRED_SKUS: Record<InfraTemplate, Record<Environment, EnvironmentSkus>> = Object.fromEntries(
  InfraTemplate.options.map((template) => [template, Object.fromEntries(ENVIRONMENTS.map((env) => [env, requiredSkus(template, env)]))]),
) as Record<InfraTemplate, Record<Environment, EnvironmentSkus>>;

/** The spec with the required SKUs for a template, for callers that have nothing else to say. */
export function defaultSpec(template: InfraTemplate, appName: string): InfraSpec {
  return InfraSpec.parse({ template, appName, skus: REQUIRED_SKUS[template] });
}

/** Where an environment's SKUs differ from the rule, one issue per field, with its path in the spec. */
export function skuIssues(template: InfraTemplate, environment: Environment, skus: EnvironmentSkus, base = `skus.${environment}`): FieldIssue[] {
  const required = REQUIRED_SKUS[template][environment];
  const issues: FieldIssue[] = [];
  for (const key of ['plan', 'database', 'storage'] as const) {
    if (skus[key] !== required[key]) {
      issues.push({
        path: `${base}.${key}`,
        message: `is ${skus[key] ?? 'missing'}, but ${template} in ${environment} requires ${required[key] ?? 'none'}`,
      });
    }
  }
  return issues;
}

/** Parses an input into a spec and refuses SKUs that do not match their environment. */
export function parseInfraSpec(input: unknown): InfraSpec {
  const parsed = InfraSpec.safeParse(input);
  if (!parsed.success) {
    throw new InvalidParametersError(
      'infrastructure spec refused',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const spec = parsed.data;
  const issues = ENVIRONMENTS.flatMap((env) => skuIssues(spec.template, env, spec.skus[env]));
  if (issues.length > 0) throw new InvalidParametersError('infrastructure spec refused', issues);
  return spec;
}
