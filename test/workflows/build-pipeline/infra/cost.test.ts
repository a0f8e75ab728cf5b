// Build pipeline stage 7: monthly cost per resource, per environment and per build from the dated price table
// (hourly × 730 × instances), exact to the cent, and the change against what the target costs now.
import { describe, expect, it } from 'vitest';
import {
  buildCost,
  costChange,
  costLine,
  costOfResources,
  defaultSpec,
  environmentCost,
  formatUsd,
  PRICE_TABLE,
  PRICES_TAKEN_ON,
  priceFor,
  type ResolvedResource,
} from '../../../../src/workflows/build-pipeline/infra/index.js';

const resource = (type: string, sku: string | undefined, instances = 1): ResolvedResource => ({
  type,
  name: `r-${sku ?? 'none'}`,
  apiVersion: 'x',
  ...(sku === undefined ? {} : { sku }),
  instances,
  settings: {},
});
const PLAN = 'Microsoft.Web/serverfarms';
const DB = 'Microsoft.Sql/servers/databases';

describe('the price table', () => {
  it('is dated and names a source for every figure', () => {
    expect(PRICES_TAKEN_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const entry of PRICE_TABLE) {
      expect(['seed', 'azure-retail-list', 'free-grant']).toContain(entry.source);
      expect(entry.note.length).toBeGreaterThan(0);
      expect(Number.isInteger(entry.priceMicros)).toBe(true);
    }
  });

  it("takes the seed's own figures for B1 and Basic SQL", () => {
    expect(priceFor(PLAN, 'B1')).toMatchObject({ unit: 'hour', priceMicros: 18_000, source: 'seed' });
    expect(priceFor(DB, 'Basic')).toMatchObject({ unit: 'month', priceMicros: 4_990_000, source: 'seed' });
  });
});

describe('a monthly cost line', () => {
  it.each([
    [PLAN, 'B1', 1, 1314],
    [PLAN, 'S1', 1, 6935],
    [PLAN, 'P1v2', 1, 8395],
    [PLAN, 'Y1', 1, 0],
    [DB, 'Basic', 1, 499],
    [DB, 'Standard', 1, 1472],
    [DB, 'Premium', 1, 46512],
    ['Microsoft.Storage/storageAccounts', 'Standard_LRS', 1, 2],
    ['Microsoft.Insights/components', undefined, 1, 0],
  ])('prices %s %s × %i at %i cents a month', (type, sku, instances, cents) => {
    expect(costLine(resource(type, sku, instances)).monthlyCents).toBe(cents);
  });

  it('is hourly × 730 × instances: B1 is $13.14 and P1v2 with its two instances $167.90', () => {
    expect(formatUsd(costLine(resource(PLAN, 'B1')).monthlyCents)).toBe('$13.14');
    const p1v2 = costLine(resource(PLAN, 'P1v2', 2));
    expect(p1v2).toMatchObject({ instances: 2, unit: 'hour', unitPriceMicros: 115_000 });
    expect(p1v2.monthlyCents).toBe(2 * 8395);
  });

  it('multiplies a monthly price by its instances too', () => {
    expect(costLine(resource(DB, 'Basic', 3)).monthlyCents).toBe(1497);
  });

  it('refuses a resource the table does not price instead of costing it as zero', () => {
    expect(() => costLine(resource(PLAN, 'P3v3'))).toThrow(/no price for Microsoft.Web\/serverfarms P3v3/);
    expect(() => costLine(resource('Microsoft.Cache/redis', 'C0'))).toThrow(/no price/);
  });

  it('adds lines exactly in cents, with no floating-point drift over many resources', () => {
    // 0.018 × 730 as floats is 13.139999999999999; a hundred of them must still be exactly $1,314.00.
    const cost = costOfResources(
      'dev',
      Array.from({ length: 100 }, () => resource(PLAN, 'B1')),
    );
    expect(cost.monthlyCents).toBe(131_400);
    expect(formatUsd(cost.monthlyCents)).toBe('$1,314.00');
  });
});

describe('the cost per environment and per build', () => {
  it('prices web-app-sql at $18.13 in dev, $84.07 in staging and $633.02 in prod', () => {
    const spec = defaultSpec('web-app-sql', 'todo-app');
    const dev = environmentCost(spec, 'dev');
    expect(dev.lines.map((l) => [l.type, l.sku, l.instances, l.monthlyCents])).toEqual([
      ['Microsoft.Insights/components', null, 1, 0],
      [PLAN, 'B1', 1, 1314],
      ['Microsoft.Sql/servers', null, 1, 0],
      [DB, 'Basic', 1, 499],
      ['Microsoft.Web/sites', null, 1, 0],
    ]);
    expect(dev.monthlyCents).toBe(1813);
    expect(environmentCost(spec, 'staging').monthlyCents).toBe(6935 + 1472);
    const prod = environmentCost(spec, 'prod');
    expect(prod.lines.find((l) => l.type === PLAN)).toMatchObject({ sku: 'P1v2', instances: 2, monthlyCents: 16_790 });
    // Neither of the seed's prod figures ("~$157", "~$310/month"): the table's arithmetic decides.
    expect(prod.monthlyCents).toBe(16_790 + 46_512);
    expect(formatUsd(prod.monthlyCents)).toBe('$633.02');
  });

  it('prices function-app-storage on the same App Service plans as a web app, plus the storage baseline', () => {
    const cost = buildCost(defaultSpec('function-app-storage', 'todo-app'));
    const expected = { dev: ['B1', 1, 1_314], staging: ['S1', 1, 6_935], prod: ['P1v2', 2, 16_790] } as const;
    for (const env of ['dev', 'staging', 'prod'] as const) {
      const [sku, instances, planCents] = expected[env];
      expect(cost.environments[env].lines.find((l) => l.type === PLAN)).toMatchObject({ sku, instances, monthlyCents: planCents });
      expect(cost.environments[env].monthlyCents).toBe(planCents + 2);
    }
    expect(cost.monthlyCents).toBe(1_314 + 6_935 + 16_790 + 6);
  });

  it('sums the three environments into the cost of the build, dated with the table', () => {
    const cost = buildCost(defaultSpec('web-app-sql', 'todo-app'));
    expect(cost.monthlyCents).toBe(1813 + 8407 + 63_302);
    expect(formatUsd(cost.monthlyCents)).toBe('$735.22');
    expect(cost).toMatchObject({ currency: 'USD', pricesTakenOn: PRICES_TAKEN_ON });
  });
});

describe('the change against what the target costs now', () => {
  it('is the whole cost when nothing is deployed yet, with no percentage', () => {
    expect(costChange(0, 1813)).toEqual({ previousCents: 0, monthlyCents: 1813, changeCents: 1813, changePercent: null });
  });

  it('is the difference in cents and as a percentage when a plan moves from B1 to S1', () => {
    expect(costChange(1314, 6935)).toEqual({ previousCents: 1314, monthlyCents: 6935, changeCents: 5621, changePercent: 427.78 });
  });

  it('is negative when the new release costs less', () => {
    const change = costChange(63_302, 1813);
    expect(change.changeCents).toBe(-61_489);
    expect(formatUsd(change.changeCents)).toBe('-$614.89');
  });
});
