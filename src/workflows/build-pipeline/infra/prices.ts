/**
 * The dated price table the build pipeline's monthly costs come from (stage 7). Prices are kept in
 * micro-dollars (integers) so that hourly × 730 × instances is exact before the one rounding to cents.
 */

/** The date the table was compiled; every estimate carries it so an approver knows how old the prices are. */
export const PRICES_TAKEN_ON = '2026-12-04';
export const PRICES_CURRENCY = 'USD';
/** Azure and Infracost bill a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

/**
 * Where a figure comes from:
 * - `seed`: the project's seed states the figure itself (B1 $0.018/h → $13.14/month, Basic SQL $4.99/month).
 * - `azure-retail-list`: Azure's public pay-as-you-go list price (Linux, East US) as the table's author knew
 *   it on the date above. It was NOT fetched from the Azure retail prices API (no network here): check it at
 *   https://prices.azure.com/api/retail/prices before relying on it.
 * - `free-grant`: usage-billed, and the baseline a new app uses stays inside the monthly free grant.
 */
export type PriceSource = 'seed' | 'azure-retail-list' | 'free-grant';

export interface PriceEntry {
  resourceType: string;
  /** The SKU as the spec names it; '*' when the resource is not billed by SKU. */
  sku: string;
  /** `hour`: billed hourly, monthly = price × 730 × instances. `month`: a flat monthly price × instances. */
  unit: 'hour' | 'month';
  /** Price per unit in micro-dollars (1 USD = 1,000,000). */
  priceMicros: number;
  source: PriceSource;
  note: string;
}

const usd = (dollars: string): number => {
  // Parsed from the decimal text, not multiplied as a float, so 0.018 is exactly 18,000 micro-dollars.
  const [whole = '0', fraction = ''] = dollars.split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
};

/**
 * The table. Where the seed contradicts itself (web-app-sql prod "~$157" in one place, "~$310/month" in
 * its cost table) neither figure is used: the prod cost is this table's arithmetic (2 × P1v2 + Premium SQL
 * = $633.02), and the docs say so.
 */
export const PRICE_TABLE: readonly PriceEntry[] = [
  { resourceType: 'Microsoft.Web/serverfarms', sku: 'B1', unit: 'hour', priceMicros: usd('0.018'), source: 'seed', note: 'seed: B1 $0.018/h → $13.14/month' },
  {
    resourceType: 'Microsoft.Web/serverfarms',
    sku: 'S1',
    unit: 'hour',
    priceMicros: usd('0.095'),
    source: 'azure-retail-list',
    note: 'App Service Standard S1, Linux: $0.095/h → $69.35/month',
  },
  {
    resourceType: 'Microsoft.Web/serverfarms',
    sku: 'P1v2',
    unit: 'hour',
    priceMicros: usd('0.115'),
    source: 'azure-retail-list',
    note: 'App Service Premium v2 P1v2, Linux: $0.115/h → $83.95/month per instance; prod runs two instances',
  },
  {
    resourceType: 'Microsoft.Web/serverfarms',
    sku: 'Y1',
    unit: 'month',
    priceMicros: 0,
    source: 'free-grant',
    note: 'Functions consumption: the first 1,000,000 executions and 400,000 GB-s a month are free; beyond, $0.20 per million and $0.000016/GB-s',
  },
  { resourceType: 'Microsoft.Web/sites', sku: '*', unit: 'month', priceMicros: 0, source: 'free-grant', note: 'billed through its plan' },
  {
    resourceType: 'Microsoft.Sql/servers',
    sku: '*',
    unit: 'month',
    priceMicros: 0,
    source: 'free-grant',
    note: 'a logical SQL server costs nothing; its databases do',
  },
  {
    resourceType: 'Microsoft.Sql/servers/databases',
    sku: 'Basic',
    unit: 'month',
    priceMicros: usd('4.99'),
    // The seed gives a monthly figure; Azure lists DTU databases by the month, so no hourly figure is invented.
    // (The seed's "Basic SQL with auto-pause" does not exist: auto-pause is a serverless General Purpose feature.)
    source: 'seed',
    note: 'seed: Basic SQL (5 DTU) $4.99/month; no auto-pause in the Basic tier',
  },
  {
    resourceType: 'Microsoft.Sql/servers/databases',
    sku: 'Standard',
    unit: 'month',
    priceMicros: usd('14.72'),
    source: 'azure-retail-list',
    note: 'SQL Database Standard S0 (10 DTU): $14.72/month',
  },
  {
    resourceType: 'Microsoft.Sql/servers/databases',
    sku: 'Premium',
    unit: 'month',
    priceMicros: usd('465.12'),
    source: 'azure-retail-list',
    note: 'SQL Database Premium P1 (125 DTU): $465.12/month',
  },
  {
    resourceType: 'Microsoft.Storage/storageAccounts',
    sku: 'Standard_LRS',
    unit: 'month',
    priceMicros: usd('0.0184'),
    source: 'azure-retail-list',
    note: 'Blob Hot LRS $0.0184 per GB-month; the baseline assumes 1 GB, transactions negligible',
  },
  {
    resourceType: 'Microsoft.Insights/components',
    sku: '*',
    unit: 'month',
    priceMicros: 0,
    source: 'free-grant',
    note: 'Application Insights: the first 5 GB of ingestion a month are free, then $2.30/GB',
  },
];

/** The entry for a resource type and SKU (falling back to the type's '*' entry), or undefined when unpriced. */
export function priceFor(resourceType: string, sku: string | undefined): PriceEntry | undefined {
  const sameType = PRICE_TABLE.filter((p) => p.resourceType.toLowerCase() === resourceType.toLowerCase());
  return sameType.find((p) => p.sku === sku) ?? sameType.find((p) => p.sku === '*');
}
