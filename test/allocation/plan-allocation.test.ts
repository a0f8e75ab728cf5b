import { describe, expect, it } from 'vitest';
import type { BatonError } from '../../src/errors/index.js';
import { planAllocation, type PlanAllocationInput } from '../../src/allocation/index.js';
import { intBetween, seededRandom } from './seeded-random.js';

const sum = (allocation: Record<string, number>): number => Object.values(allocation).reduce((s, v) => s + v, 0);

describe('planAllocation', () => {
  it('holds back the DC share and splits the rest by forecast', () => {
    const plan = planAllocation({ approvedQuantity: 1000, dcHoldback: 0.15, forecastByStore: { a: 50, b: 30, c: 20 } });
    expect(plan).toMatchObject({ dcUnits: 150, storePool: 850, storeUnits: { a: 425, b: 255, c: 170 } });
  });

  it('rounds the DC up and the store pool down: 15% of 101 is 15.15, so the DC holds 16 and stores share 85', () => {
    const plan = planAllocation({ approvedQuantity: 101, dcHoldback: 0.15, forecastByStore: { a: 1, b: 1 } });
    expect(plan).toMatchObject({ dcUnits: 16, storePool: 85, storeUnits: { a: 43, b: 42 } });
  });

  it('is not fooled by binary fractions: 7% of 100 is 7, 93% is 93, 29% is 29', () => {
    for (const [holdback, dc] of [
      [0.07, 7],
      [0.93, 93],
      [0.29, 29],
      [0.57, 57],
      [0.1, 10],
    ] as const) {
      expect(planAllocation({ approvedQuantity: 100, dcHoldback: holdback, forecastByStore: { a: 1 } }).dcUnits).toBe(dc);
    }
  });

  it('sends everything to stores with no holdback and everything to the DC with a full one', () => {
    expect(planAllocation({ approvedQuantity: 77, dcHoldback: 0, forecastByStore: { a: 1, b: 2 } })).toMatchObject({
      dcUnits: 0,
      storeUnits: { a: 26, b: 51 },
    });
    expect(planAllocation({ approvedQuantity: 77, dcHoldback: 1, forecastByStore: { a: 1, b: 2 } })).toMatchObject({ dcUnits: 77, storeUnits: { a: 0, b: 0 } });
  });

  it('keeps stores + DC = approved quantity exactly, nothing negative, DC within a unit above the holdback, over 2,000 random cases', () => {
    const random = seededRandom(60);
    const failures: string[] = [];
    for (let trial = 0; trial < 2000; trial++) {
      const approvedQuantity = intBetween(random, 0, trial % 7 === 0 ? 5e8 : 50_000);
      const dcHoldback = trial % 5 === 0 ? intBetween(random, 0, 100) / 100 : random();
      const forecastByStore = Object.fromEntries(
        Array.from({ length: intBetween(random, 1, 60) }, (_, i) => [String(i + 1), random() < 0.1 ? -random() * 10 : random() * 500]),
      );
      const plan = planAllocation({ approvedQuantity, dcHoldback, forecastByStore });
      const problems = [
        plan.dcUnits + sum(plan.storeUnits) !== approvedQuantity && 'stores + DC ≠ approved',
        !Object.values(plan.storeUnits).every((u) => Number.isInteger(u) && u >= 0) && 'a store allocation is negative or fractional',
        plan.dcUnits < dcHoldback * approvedQuantity - 1e-6 && 'DC below the holdback',
        plan.dcUnits >= dcHoldback * approvedQuantity + 1 && 'DC a unit or more above the holdback',
      ].filter((p) => p !== false);
      if (problems.length > 0) failures.push(`Q=${approvedQuantity} h=${dcHoldback}: ${problems.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('notes the stores that get nothing because their forecast is not positive', () => {
    const plan = planAllocation({ approvedQuantity: 10, dcHoldback: 0, forecastByStore: { a: 5, b: -2, c: 5 } });
    expect(plan.storeUnits).toEqual({ a: 5, b: 0, c: 5 });
    expect(plan.notes).toEqual(['1 of 3 stores have a zero, negative or missing forecast and get no units']);
  });

  it('refuses a holdback outside 0–1, a negative quantity and an empty store list with INVALID_PARAMETERS', () => {
    const inputs: PlanAllocationInput[] = [
      { approvedQuantity: 10, dcHoldback: 1.2, forecastByStore: { a: 1 } },
      { approvedQuantity: 10, dcHoldback: 0.1, forecastByStore: {} },
      { approvedQuantity: -10, dcHoldback: 0.1, forecastByStore: { a: 1 } },
    ];
    for (const input of inputs) expect(() => planAllocation(input)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }) as BatonError);
  });
});
