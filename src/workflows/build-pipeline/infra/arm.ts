/**
 * ARM JSON for the build pipeline's two templates (web-app-sql, function-app-storage), generated from an
 * infrastructure spec, with one parameter file per environment. ARM JSON is the validated artefact; the
 * SKUs live in the parameter files so one template serves dev, staging and prod.
 */
import { apiVersionOf, DATABASE_ARM_SKU, PLAN_ARM_SKU } from './catalogue.js';
import { ENVIRONMENTS, type Environment, type InfraSpec } from './spec.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface ArmParameter {
  type: 'string' | 'securestring' | 'int' | 'bool' | 'object' | 'array';
  defaultValue?: Json;
  allowedValues?: Json[];
  metadata?: { description: string };
}

export interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  location?: string;
  kind?: string;
  sku?: { [key: string]: Json };
  dependsOn?: string[];
  properties?: { [key: string]: Json };
  tags?: { [key: string]: Json };
}

export interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  metadata?: { [key: string]: Json };
  parameters: Record<string, ArmParameter>;
  variables: Record<string, Json>;
  resources: ArmResource[];
  outputs?: Record<string, { type: string; value: Json }>;
}

export interface ArmParameterFile {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, { value: Json }>;
}

export const TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
export const PARAMETERS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

const PLAN = 'Microsoft.Web/serverfarms';
const SITE = 'Microsoft.Web/sites';
const SQL_SERVER = 'Microsoft.Sql/servers';
const SQL_DATABASE = 'Microsoft.Sql/servers/databases';
const STORAGE = 'Microsoft.Storage/storageAccounts';
const INSIGHTS = 'Microsoft.Insights/components';

const commonParameters = (): Record<string, ArmParameter> => ({
  appName: { type: 'string', metadata: { description: 'The application name; resource names derive from it.' } },
  environment: { type: 'string', allowedValues: [...ENVIRONMENTS], metadata: { description: 'dev, staging or prod.' } },
  location: { type: 'string', defaultValue: '[resourceGroup().location]', metadata: { description: 'Where the resources go.' } },
  planSkuName: { type: 'string', allowedValues: Object.values(PLAN_ARM_SKU).map((s) => s.name), metadata: { description: 'The plan SKU.' } },
  planSkuTier: { type: 'string', metadata: { description: 'The plan tier matching the SKU.' } },
  planCapacity: { type: 'int', defaultValue: 1, metadata: { description: 'Instances of the plan (P1v2 runs two).' } },
});

const tags = { application: "[parameters('appName')]", environment: "[parameters('environment')]", 'managed-by': 'baton' };

const insights = (): ArmResource => ({
  type: INSIGHTS,
  apiVersion: apiVersionOf(INSIGHTS),
  name: "[variables('insightsName')]",
  location: "[parameters('location')]",
  kind: 'web',
  tags,
  properties: { Application_Type: 'web' },
});

const plan = (kind: string): ArmResource => ({
  type: PLAN,
  apiVersion: apiVersionOf(PLAN),
  name: "[variables('planName')]",
  location: "[parameters('location')]",
  kind,
  tags,
  sku: { name: "[parameters('planSkuName')]", tier: "[parameters('planSkuTier')]", capacity: "[parameters('planCapacity')]" },
  properties: { reserved: true },
});

const insightsConnection = `[reference(resourceId('${INSIGHTS}', variables('insightsName')), '${apiVersionOf(INSIGHTS)}').ConnectionString]`;

function webAppSql(): ArmTemplate {
  return {
    $schema: TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: { template: 'web-app-sql', generator: 'baton build pipeline' },
    parameters: {
      ...commonParameters(),
      databaseSkuName: { type: 'string', allowedValues: Object.values(DATABASE_ARM_SKU).map((s) => s.name) },
      databaseSkuTier: { type: 'string' },
      linuxFxVersion: { type: 'string', defaultValue: 'NODE|20-lts' },
      sqlAdministratorLogin: { type: 'string' },
      // No default and in no parameter file: the password is given at deployment time, never stored in the repository.
      sqlAdministratorPassword: { type: 'securestring', metadata: { description: 'Given at deployment time.' } },
    },
    variables: {
      planName: "[format('{0}-{1}-plan', parameters('appName'), parameters('environment'))]",
      siteName: "[format('{0}-{1}', parameters('appName'), parameters('environment'))]",
      sqlServerName: "[format('{0}-{1}-sql', parameters('appName'), parameters('environment'))]",
      databaseName: "[parameters('appName')]",
      insightsName: "[format('{0}-{1}-ai', parameters('appName'), parameters('environment'))]",
    },
    resources: [
      insights(),
      plan('linux'),
      {
        type: SQL_SERVER,
        apiVersion: apiVersionOf(SQL_SERVER),
        name: "[variables('sqlServerName')]",
        location: "[parameters('location')]",
        tags,
        properties: {
          administratorLogin: "[parameters('sqlAdministratorLogin')]",
          administratorLoginPassword: "[parameters('sqlAdministratorPassword')]",
          minimalTlsVersion: '1.2',
        },
      },
      {
        type: SQL_DATABASE,
        apiVersion: apiVersionOf(SQL_DATABASE),
        name: "[format('{0}/{1}', variables('sqlServerName'), variables('databaseName'))]",
        location: "[parameters('location')]",
        tags,
        sku: { name: "[parameters('databaseSkuName')]", tier: "[parameters('databaseSkuTier')]" },
        dependsOn: [`[resourceId('${SQL_SERVER}', variables('sqlServerName'))]`],
        properties: {},
      },
      {
        type: SITE,
        apiVersion: apiVersionOf(SITE),
        name: "[variables('siteName')]",
        location: "[parameters('location')]",
        kind: 'app,linux',
        tags,
        dependsOn: [
          `[resourceId('${PLAN}', variables('planName'))]`,
          `[resourceId('${INSIGHTS}', variables('insightsName'))]`,
          `[resourceId('${SQL_DATABASE}', variables('sqlServerName'), variables('databaseName'))]`,
        ],
        properties: {
          serverFarmId: `[resourceId('${PLAN}', variables('planName'))]`,
          httpsOnly: true,
          siteConfig: {
            linuxFxVersion: "[parameters('linuxFxVersion')]",
            alwaysOn: true,
            healthCheckPath: '/health',
            appSettings: [
              { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insightsConnection },
              {
                name: 'DATABASE_SERVER',
                value: `[reference(resourceId('${SQL_SERVER}', variables('sqlServerName')), '${apiVersionOf(SQL_SERVER)}').fullyQualifiedDomainName]`,
              },
              { name: 'DATABASE_NAME', value: "[variables('databaseName')]" },
              { name: 'APP_ENVIRONMENT', value: "[parameters('environment')]" },
            ],
          },
        },
      },
    ],
    outputs: {
      siteHostName: { type: 'string', value: `[reference(resourceId('${SITE}', variables('siteName')), '${apiVersionOf(SITE)}').defaultHostName]` },
    },
  };
}

function functionAppStorage(): ArmTemplate {
  const storageId = `resourceId('${STORAGE}', variables('storageName'))`;
  return {
    $schema: TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: { template: 'function-app-storage', generator: 'baton build pipeline' },
    parameters: {
      ...commonParameters(),
      storageSkuName: { type: 'string', allowedValues: ['Standard_LRS'] },
      functionsWorkerRuntime: { type: 'string', defaultValue: 'node' },
    },
    variables: {
      planName: "[format('{0}-{1}-plan', parameters('appName'), parameters('environment'))]",
      siteName: "[format('{0}-{1}', parameters('appName'), parameters('environment'))]",
      // Storage account names allow 3–24 lower-case letters and digits only.
      storageName: "[take(format('{0}{1}', replace(parameters('appName'), '-', ''), parameters('environment')), 24)]",
      insightsName: "[format('{0}-{1}-ai', parameters('appName'), parameters('environment'))]",
    },
    resources: [
      {
        type: STORAGE,
        apiVersion: apiVersionOf(STORAGE),
        name: "[variables('storageName')]",
        location: "[parameters('location')]",
        kind: 'StorageV2',
        tags,
        sku: { name: "[parameters('storageSkuName')]" },
        properties: { minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true, allowBlobPublicAccess: false },
      },
      insights(),
      plan('functionapp'),
      {
        type: SITE,
        apiVersion: apiVersionOf(SITE),
        name: "[variables('siteName')]",
        location: "[parameters('location')]",
        kind: 'functionapp,linux',
        tags,
        dependsOn: [`[resourceId('${PLAN}', variables('planName'))]`, `[${storageId}]`, `[resourceId('${INSIGHTS}', variables('insightsName'))]`],
        properties: {
          serverFarmId: `[resourceId('${PLAN}', variables('planName'))]`,
          httpsOnly: true,
          siteConfig: {
            appSettings: [
              {
                name: 'AzureWebJobsStorage',
                value: `[format('DefaultEndpointsProtocol=https;AccountName={0};AccountKey={1};EndpointSuffix=core.windows.net', variables('storageName'), listKeys(${storageId}, '${apiVersionOf(STORAGE)}').keys[0].value)]`,
              },
              { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' },
              { name: 'FUNCTIONS_WORKER_RUNTIME', value: "[parameters('functionsWorkerRuntime')]" },
              { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insightsConnection },
              { name: 'APP_ENVIRONMENT', value: "[parameters('environment')]" },
            ],
          },
        },
      },
    ],
    outputs: {
      siteHostName: { type: 'string', value: `[reference(resourceId('${SITE}', variables('siteName')), '${apiVersionOf(SITE)}').defaultHostName]` },
    },
  };
}

/** The ARM template for a spec's template (the same for every environment: the SKUs are parameters). */
export function armTemplate(spec: InfraSpec): ArmTemplate {
  return spec.template === 'web-app-sql' ? webAppSql() : functionAppStorage();
}

/** The parameter file for one environment: the spec's SKUs for it, as ARM sku names. */
export function armParameters(spec: InfraSpec, environment: Environment): ArmParameterFile {
  const skus = spec.skus[environment];
  const planSku = PLAN_ARM_SKU[skus.plan];
  const parameters: Record<string, { value: Json }> = {
    appName: { value: spec.appName },
    environment: { value: environment },
    planSkuName: { value: planSku.name },
    planSkuTier: { value: planSku.tier },
    planCapacity: { value: planSku.capacity },
  };
  if (spec.template === 'web-app-sql') {
    const database = DATABASE_ARM_SKU[skus.database ?? 'Basic'];
    parameters.databaseSkuName = { value: database.name };
    parameters.databaseSkuTier = { value: database.tier };
    parameters.sqlAdministratorLogin = { value: `${spec.appName.replace(/-/g, '')}admin` };
  } else {
    parameters.storageSkuName = { value: skus.storage ?? 'Standard_LRS' };
  }
  return { $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters };
}

export interface InfraFiles {
  template: ArmTemplate;
  parameters: Record<Environment, ArmParameterFile>;
}

export function armFiles(spec: InfraSpec): InfraFiles {
  return {
    template: armTemplate(spec),
    parameters: { dev: armParameters(spec, 'dev'), staging: armParameters(spec, 'staging'), prod: armParameters(spec, 'prod') },
  };
}
