/**
 * The resource catalogue offline ARM validation checks against: which resource types the build pipeline
 * emits, the API versions accepted for each, and how each type's ARM `sku` maps to the price table's SKU.
 */
import type { DatabaseSku, PlanSku } from './spec.js';

export interface CatalogueEntry {
  type: string;
  /** API versions accepted, newest first; the first is the one generated templates use. */
  apiVersions: readonly string[];
}

// Real, published API versions of each provider (GA versions only, so a template never depends on a preview).
export const CATALOGUE: readonly CatalogueEntry[] = [
  { type: 'Microsoft.Web/serverfarms', apiVersions: ['2022-09-01', '2022-03-01', '2021-03-01'] },
  { type: 'Microsoft.Web/sites', apiVersions: ['2022-09-01', '2022-03-01', '2021-03-01'] },
  { type: 'Microsoft.Sql/servers', apiVersions: ['2021-11-01'] },
  { type: 'Microsoft.Sql/servers/databases', apiVersions: ['2021-11-01'] },
  { type: 'Microsoft.Storage/storageAccounts', apiVersions: ['2023-01-01', '2022-09-01'] },
  { type: 'Microsoft.Insights/components', apiVersions: ['2020-02-02'] },
];

export function catalogueEntry(type: string): CatalogueEntry | undefined {
  return CATALOGUE.find((e) => e.type.toLowerCase() === type.toLowerCase());
}

export function apiVersionOf(type: string): string {
  const entry = catalogueEntry(type);
  if (!entry?.apiVersions[0]) throw new Error(`resource type ${type} is not in the catalogue`);
  return entry.apiVersions[0];
}

/** The ARM `sku` block of an App Service plan SKU; P1v2 runs two instances (issue 18), the others one. */
export const PLAN_ARM_SKU: Record<PlanSku, { name: string; tier: string; capacity: number }> = {
  B1: { name: 'B1', tier: 'Basic', capacity: 1 },
  S1: { name: 'S1', tier: 'Standard', capacity: 1 },
  P1v2: { name: 'P1v2', tier: 'PremiumV2', capacity: 2 },
  Y1: { name: 'Y1', tier: 'Dynamic', capacity: 0 },
};

/** The ARM `sku` block of a SQL database tier: the seed's Standard is S0, its Premium is P1 (DTU model). */
export const DATABASE_ARM_SKU: Record<DatabaseSku, { name: string; tier: string }> = {
  Basic: { name: 'Basic', tier: 'Basic' },
  Standard: { name: 'S0', tier: 'Standard' },
  Premium: { name: 'P1', tier: 'Premium' },
};

/** The spec's SKU name for a resource's ARM sku name (P1 → Premium), so costs and SKU rules read one vocabulary. */
export function specSkuOf(type: string, armSkuName: string | undefined): string | undefined {
  if (armSkuName === undefined) return undefined;
  if (type.toLowerCase() === 'microsoft.sql/servers/databases') {
    const found = (Object.entries(DATABASE_ARM_SKU) as [DatabaseSku, { name: string }][]).find(
      ([, sku]) => sku.name.toLowerCase() === armSkuName.toLowerCase(),
    );
    return found?.[0] ?? armSkuName;
  }
  const plan = (Object.keys(PLAN_ARM_SKU) as PlanSku[]).find((sku) => sku.toLowerCase() === armSkuName.toLowerCase());
  return plan ?? armSkuName;
}
