/**
 * What an architecture may choose from, as data: the stacks, the templates and their services, and the SKU of each
 * sized service per environment. The rules and a model's answer are both checked against these tables.
 */
import type { ArchitectureSpec, Environment, ServiceKind, SkuChoice, Stack, Template } from './contracts.js';
import { ENVIRONMENTS } from './contracts.js';

export interface ServiceRow {
  kind: ServiceKind;
  resource_type: string;
  purpose: string;
}

/** Every service a template may hold, with the Azure resource type the infrastructure stage writes for it. */
export const SERVICES: readonly ServiceRow[] = [
  { kind: 'app-service-plan', resource_type: 'Microsoft.Web/serverfarms', purpose: 'the compute the app runs on (its SKU sets size and instances)' },
  { kind: 'web-app', resource_type: 'Microsoft.Web/sites', purpose: 'the HTTP application' },
  { kind: 'sql-server', resource_type: 'Microsoft.Sql/servers', purpose: 'the logical SQL server holding the database' },
  { kind: 'sql-database', resource_type: 'Microsoft.Sql/servers/databases', purpose: "the application's relational data" },
  { kind: 'function-app', resource_type: 'Microsoft.Web/sites', purpose: 'the functions run on a schedule, an event or a file' },
  { kind: 'storage-account', resource_type: 'Microsoft.Storage/storageAccounts', purpose: "the functions' files, queues and tables" },
];

export interface TemplateRow {
  name: Template;
  description: string;
  services: readonly ServiceKind[];
}

export const TEMPLATE_ROWS: readonly TemplateRow[] = [
  {
    name: 'web-app-sql',
    description: 'an HTTP API with a relational database: CRUD over its entities',
    services: ['app-service-plan', 'web-app', 'sql-server', 'sql-database'],
  },
  {
    name: 'function-app-storage',
    description: 'work triggered by a schedule, an event or a file, with storage for files, queues and tables',
    services: ['app-service-plan', 'function-app', 'storage-account'],
  },
];

export interface SkuRow extends SkuChoice {
  template: Template;
  environment: Environment;
}

const row = (template: Template, environment: Environment, service: ServiceKind, sku: string, tier: string, instances = 1): SkuRow => ({
  template,
  environment,
  service,
  sku,
  tier,
  instances,
});

/**
 * The SKU of each sized service per template and environment (services without a row, such as the web app
 * on its plan or the SQL server, have no size of their own). Prod's plan runs two instances. "Basic SQL
 * with auto-pause" does not exist (auto-pause is a serverless General Purpose feature): Basic is the DTU tier.
 */
export const SKUS: readonly SkuRow[] = [
  row('web-app-sql', 'dev', 'app-service-plan', 'B1', 'Basic'),
  row('web-app-sql', 'dev', 'sql-database', 'Basic', 'Basic'),
  row('web-app-sql', 'staging', 'app-service-plan', 'S1', 'Standard'),
  row('web-app-sql', 'staging', 'sql-database', 'S0', 'Standard'),
  row('web-app-sql', 'prod', 'app-service-plan', 'P1v2', 'PremiumV2', 2),
  row('web-app-sql', 'prod', 'sql-database', 'P1', 'Premium'),
  row('function-app-storage', 'dev', 'app-service-plan', 'B1', 'Basic'),
  row('function-app-storage', 'dev', 'storage-account', 'Standard_LRS', 'Standard'),
  row('function-app-storage', 'staging', 'app-service-plan', 'S1', 'Standard'),
  row('function-app-storage', 'staging', 'storage-account', 'Standard_LRS', 'Standard'),
  row('function-app-storage', 'prod', 'app-service-plan', 'P1v2', 'PremiumV2', 2),
  row('function-app-storage', 'prod', 'storage-account', 'Standard_LRS', 'Standard'),
];

export const STACK_ROWS: readonly { name: Stack; description: string }[] = [
  { name: 'node-typescript', description: 'Node.js and TypeScript' },
  { name: 'python-fastapi', description: 'Python with FastAPI' },
];

const templateRow = (template: Template): TemplateRow => {
  const found = TEMPLATE_ROWS.find((t) => t.name === template);
  if (!found) throw new Error(`template ${template} is not in the catalogue`);
  return found;
};

/** The services of a template, in the catalogue's order. */
export function servicesOf(template: Template): ArchitectureSpec['services'] {
  return templateRow(template).services.map((kind) => {
    const { resource_type, purpose } = SERVICES.find((s) => s.kind === kind) as ServiceRow;
    return { kind, resource_type, purpose };
  });
}

/** The SKUs of a template in each environment, from the table. */
export function skusOf(template: Template): ArchitectureSpec['skus'] {
  const of = (environment: Environment): SkuChoice[] =>
    SKUS.filter((r) => r.template === template && r.environment === environment).map(({ service, sku, tier, instances }) => ({
      service,
      sku,
      tier,
      instances,
    }));
  return { dev: of('dev'), staging: of('staging'), prod: of('prod') };
}

/** What a specification breaks of the catalogue (empty: it fits): services of its template, each sized service's SKU per environment. */
export function catalogueFindings(spec: ArchitectureSpec): string[] {
  const findings: string[] = [];
  if (!STACK_ROWS.some((s) => s.name === spec.stack)) findings.push(`stack ${spec.stack} is not in the catalogue`);
  const template = TEMPLATE_ROWS.find((t) => t.name === spec.template);
  if (!template) return [...findings, `template ${spec.template} is not in the catalogue`];
  const given = spec.services.map((s) => s.kind);
  const missing = template.services.filter((k) => !given.includes(k));
  const extra = given.filter((k) => !template.services.includes(k));
  if (missing.length > 0) findings.push(`services: ${spec.template} needs ${missing.join(', ')}`);
  if (extra.length > 0) findings.push(`services: ${spec.template} has no ${extra.join(', ')}`);
  if (new Set(given).size !== given.length) findings.push('services: a service is listed twice');
  for (const service of spec.services) {
    const known = SERVICES.find((s) => s.kind === service.kind);
    if (known && known.resource_type !== service.resource_type)
      findings.push(`services: ${service.kind} is ${known.resource_type}, not ${service.resource_type}`);
  }
  const expected = skusOf(spec.template);
  for (const environment of ENVIRONMENTS) {
    const want = expected[environment];
    const got = spec.skus[environment];
    for (const w of want) {
      const g = got.find((c) => c.service === w.service);
      if (!g) findings.push(`skus.${environment}: ${w.service} has no SKU (the catalogue's is ${w.sku})`);
      else if (g.sku !== w.sku || g.tier !== w.tier || g.instances !== w.instances)
        findings.push(`skus.${environment}: ${w.service} is ${g.sku}/${g.tier}×${g.instances}, the catalogue's is ${w.sku}/${w.tier}×${w.instances}`);
    }
    for (const g of got) if (!want.some((w) => w.service === g.service)) findings.push(`skus.${environment}: ${g.service} has no SKU in ${spec.template}`);
  }
  return findings;
}
