// Build pipeline stage 7: the generated ARM templates and parameter files validate offline for every
// environment, and broken templates are refused with the problem and its path in the template named.
import { describe, expect, it } from 'vitest';
import { BatonError } from '../../../../src/errors/index.js';
import {
  armFiles,
  assertValidArm,
  bicepText,
  CATALOGUE,
  defaultSpec,
  ENVIRONMENTS,
  parseInfraSpec,
  validateArm,
  type ArmParameterFile,
  type ArmTemplate,
  type InfraTemplate,
} from '../../../../src/workflows/build-pipeline/infra/index.js';

const TEMPLATES: InfraTemplate[] = ['web-app-sql', 'function-app-storage'];
const copy = <T>(value: T): T => structuredClone(value);
const webAppSql = () => armFiles(defaultSpec('web-app-sql', 'todo-app'));
const indexOf = (template: ArmTemplate, type: string) => template.resources.findIndex((r) => r.type === type);

/** The refusal's issues, asserting it is the INVALID_PARAMETERS BatonError. */
function refusal(template: unknown, parameters: ArmParameterFile, environment: 'dev' | 'staging' | 'prod') {
  try {
    assertValidArm(template, parameters, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('INVALID_PARAMETERS');
    return { message: (error as BatonError).message, issues: (error as BatonError).details.issues as { path: string; message: string }[] };
  }
  throw new Error('the template was accepted');
}

describe('the generated templates', () => {
  it.each(TEMPLATES)('%s validates with the dev, staging and prod parameter files', (template) => {
    const files = armFiles(defaultSpec(template, 'todo-app'));
    for (const env of ENVIRONMENTS) expect(validateArm(files.template, files.parameters[env], env).issues).toEqual([]);
  });

  it('web-app-sql has a plan, a web app, a SQL server and database and Application Insights, in catalogue API versions', () => {
    const { template } = webAppSql();
    expect(template.resources.map((r) => r.type).sort()).toEqual([
      'Microsoft.Insights/components',
      'Microsoft.Sql/servers',
      'Microsoft.Sql/servers/databases',
      'Microsoft.Web/serverfarms',
      'Microsoft.Web/sites',
    ]);
    for (const r of template.resources) expect(CATALOGUE.find((e) => e.type === r.type)?.apiVersions).toContain(r.apiVersion);
  });

  it('function-app-storage has a storage account, a consumption plan, a function app and Application Insights', () => {
    const { template, parameters } = armFiles(defaultSpec('function-app-storage', 'my-func'));
    expect(template.resources.map((r) => `${r.type} ${r.kind ?? ''}`).sort()).toEqual([
      'Microsoft.Insights/components web',
      'Microsoft.Storage/storageAccounts StorageV2',
      'Microsoft.Web/serverfarms functionapp',
      'Microsoft.Web/sites functionapp,linux',
    ]);
    const storage = assertValidArm(template, parameters.staging, 'staging').find((r) => r.type === 'Microsoft.Storage/storageAccounts');
    // Storage account names allow lower-case letters and digits only, at most 24.
    expect(storage?.name).toBe('myfuncstaging');
  });

  it('puts the SKUs of each environment in its parameter file: B1/Basic, S1/S0 (Standard), P1v2 × 2/P1 (Premium)', () => {
    const { parameters } = webAppSql();
    const skus = (env: 'dev' | 'staging' | 'prod') => {
      const p = parameters[env].parameters;
      return [p.planSkuName?.value, p.planCapacity?.value, p.databaseSkuName?.value, p.databaseSkuTier?.value];
    };
    expect(skus('dev')).toEqual(['B1', 1, 'Basic', 'Basic']);
    expect(skus('staging')).toEqual(['S1', 1, 'S0', 'Standard']);
    expect(skus('prod')).toEqual(['P1v2', 2, 'P1', 'Premium']);
    // The SQL password is never in a parameter file: it is given at deployment time.
    for (const env of ENVIRONMENTS) expect(parameters[env].parameters.sqlAdministratorPassword).toBeUndefined();
  });

  it('resolves the resources as they would be deployed, names and references evaluated', () => {
    const { template, parameters } = webAppSql();
    const resources = assertValidArm(template, parameters.prod, 'prod');
    expect(resources.map((r) => [r.type, r.name, r.sku ?? null, r.instances])).toEqual([
      ['Microsoft.Insights/components', 'todo-app-prod-ai', null, 1],
      ['Microsoft.Web/serverfarms', 'todo-app-prod-plan', 'P1v2', 2],
      ['Microsoft.Sql/servers', 'todo-app-prod-sql', null, 1],
      ['Microsoft.Sql/servers/databases', 'todo-app-prod-sql/todo-app', 'Premium', 1],
      ['Microsoft.Web/sites', 'todo-app-prod', null, 1],
    ]);
    const site = resources.find((r) => r.type === 'Microsoft.Web/sites');
    const properties = site?.settings.properties as { serverFarmId?: string } | undefined;
    expect(properties?.serverFarmId).toMatch(/providers\/Microsoft.Web\/serverfarms\/todo-app-prod-plan$/);
  });

  it('emits Bicep text alongside, mirroring the ARM resources with the same API versions (not compiled here)', () => {
    for (const template of TEMPLATES) {
      const spec = defaultSpec(template, 'todo-app');
      const text = bicepText(spec);
      expect(text).toContain('Not compiled here');
      for (const r of armFiles(spec).template.resources) expect(text).toContain(`'${r.type}@${r.apiVersion}'`);
    }
  });
});

describe('a broken template', () => {
  it('is refused when a dependsOn names no resource of the template', () => {
    const { template, parameters } = webAppSql();
    const broken = copy(template);
    const site = indexOf(broken, 'Microsoft.Web/sites');
    broken.resources[site]?.dependsOn?.push("[resourceId('Microsoft.Web/serverfarms', 'nowhere-plan')]", 'ghost');
    const { issues } = refusal(broken, parameters.dev, 'dev');
    expect(issues).toEqual([
      { path: `resources[${site}].dependsOn[3]`, message: "resourceId('Microsoft.Web/serverfarms', 'nowhere-plan') names no resource of the template" },
      { path: `resources[${site}].dependsOn[4]`, message: 'depends on "ghost", which names no resource of the template' },
    ]);
  });

  it('is refused when an API version is not in the catalogue', () => {
    const { template, parameters } = webAppSql();
    const broken = copy(template);
    const plan = indexOf(broken, 'Microsoft.Web/serverfarms');
    broken.resources[plan]!.apiVersion = '2099-01-01';
    const { issues, message } = refusal(broken, parameters.staging, 'staging');
    expect(issues).toEqual([
      {
        path: `resources[${plan}].apiVersion`,
        message: '2099-01-01 is not an API version of Microsoft.Web/serverfarms (known: 2022-09-01, 2022-03-01, 2021-03-01)',
      },
    ]);
    expect(message).toContain(`resources[${plan}].apiVersion`);
  });

  it('is refused when a resource type is not in the catalogue', () => {
    const { template, parameters } = webAppSql();
    const broken = copy(template);
    broken.resources.push({ type: 'Microsoft.Cache/redis', apiVersion: '2023-08-01', name: 'cache' });
    expect(refusal(broken, parameters.dev, 'dev').issues).toEqual([
      { path: `resources[${broken.resources.length - 1}].type`, message: 'Microsoft.Cache/redis is not in the catalogue' },
    ]);
  });

  it('is refused in prod with a B1 plan, whether the parameter file or the template says B1', () => {
    const { template, parameters } = webAppSql();
    const plan = indexOf(template, 'Microsoft.Web/serverfarms');
    const file = copy(parameters.prod);
    file.parameters.planSkuName = { value: 'B1' };
    file.parameters.planSkuTier = { value: 'Basic' };
    expect(refusal(template, file, 'prod').issues).toContainEqual({
      path: `resources[${plan}].sku.name`,
      message: 'B1 is not allowed in prod (allowed: P1v2)',
    });
    const literal = copy(template);
    literal.resources[plan]!.sku = { name: 'B1', tier: 'Basic', capacity: 1 };
    expect(refusal(literal, parameters.prod, 'prod').issues).toEqual([
      { path: `resources[${plan}].sku.name`, message: 'B1 is not allowed in prod (allowed: P1v2)' },
    ]);
  });

  it('is refused in dev with a Premium database, and in prod with P1v2 on one instance', () => {
    const { template, parameters } = webAppSql();
    const dev = copy(parameters.dev);
    dev.parameters.databaseSkuName = { value: 'P1' };
    expect(refusal(template, dev, 'dev').issues).toEqual([
      { path: `resources[${indexOf(template, 'Microsoft.Sql/servers/databases')}].sku.name`, message: 'Premium is not allowed in dev (allowed: Basic)' },
    ]);
    const prod = copy(parameters.prod);
    prod.parameters.planCapacity = { value: 1 };
    expect(refusal(template, prod, 'prod').issues).toEqual([
      { path: `resources[${indexOf(template, 'Microsoft.Web/serverfarms')}].sku.capacity`, message: 'P1v2 runs two instances, not 1' },
    ]);
  });

  it('is refused when it references a parameter or a variable that is not declared', () => {
    const { template, parameters } = webAppSql();
    const broken = copy(template);
    const site = indexOf(broken, 'Microsoft.Web/sites');
    const settings = (broken.resources[site]!.properties!.siteConfig as { appSettings: { name: string; value: string }[] }).appSettings;
    settings.push({ name: 'API_KEY', value: "[parameters('apiKey')]" }, { name: 'REGION', value: "[variables('region')]" });
    expect(refusal(broken, parameters.dev, 'dev').issues).toEqual([
      { path: `resources[${site}].properties.siteConfig.appSettings[4].value`, message: "parameter 'apiKey' is not declared in the template's parameters" },
      { path: `resources[${site}].properties.siteConfig.appSettings[5].value`, message: "variable 'region' is not declared in the template's variables" },
    ]);
  });

  it('is refused when a reference() names no resource, or a parameter file gives an unknown or missing parameter', () => {
    const { template, parameters } = webAppSql();
    const broken = copy(template);
    broken.outputs = { missing: { type: 'string', value: "[reference('no-such-site').defaultHostName]" } };
    expect(refusal(broken, parameters.dev, 'dev').issues).toEqual([
      { path: 'outputs.missing.value', message: "reference to 'no-such-site' names no resource of the template" },
    ]);
    const file = copy(parameters.dev);
    file.parameters.colour = { value: 'blue' };
    delete file.parameters.sqlAdministratorLogin;
    expect(refusal(template, file, 'dev').issues).toEqual([
      { path: 'parameterFile.parameters.colour', message: 'is not a parameter of the template' },
      { path: 'parameters.sqlAdministratorLogin', message: 'has no default and no value in the dev parameter file' },
    ]);
  });

  it('is refused when it is not an ARM template at all, naming the missing parts', () => {
    const { parameters } = webAppSql();
    const { issues } = refusal({ contentVersion: '1.0.0.0', resources: [{ type: 'Microsoft.Web/sites' }] }, parameters.dev, 'dev');
    expect(issues.map((i) => i.path)).toEqual(['$schema', 'resources.0.apiVersion', 'resources.0.name']);
  });
});

describe('the infrastructure spec', () => {
  it('accepts the required SKUs and refuses a prod plan of B1 with the path of the field', () => {
    expect(parseInfraSpec(defaultSpec('web-app-sql', 'todo-app')).skus.prod.plan).toBe('P1v2');
    const spec = defaultSpec('web-app-sql', 'todo-app');
    spec.skus.prod = { plan: 'B1', database: 'Premium' };
    expect(() => parseInfraSpec(spec)).toThrow(/skus\.prod\.plan is B1, but web-app-sql in prod requires P1v2/);
  });

  it('refuses an app name Azure could not use', () => {
    expect(() => parseInfraSpec({ ...defaultSpec('web-app-sql', 'todo-app'), appName: 'Todo_App' })).toThrow(/appName/);
  });
});
