import { describe, expect, it } from 'vitest';
import type { BatonError } from '../../src/errors/index.js';
import { planReplenishment } from '../../src/allocation/index.js';
import { intBetween, seededRandom } from './seeded-random.js';

const store = (storeId: string, onHand: number, planRemaining: number, demandToDate: number, plannedToDate: number) => ({
  storeId,
  onHand,
  planRemaining,
  demandToDate,
  plannedToDate,
});

describe('planReplenishment', () => {
  it('sends each store its need when the DC covers every need', () => {
    // a: pace 120/100 = 1.2 → demand 12, safety 20% = 2.4, on hand 5 → ceil(9.4) = 10.
    // b: pace 0.8 → demand 8 + 1.6 = 9.6 < 30 on hand → 0.   c: pace 1 → 20 + 4 − 0 = 24.
    const plan = planReplenishment({
      dcAvailable: 100,
      stores: [store('a', 5, 10, 120, 100), store('b', 30, 10, 80, 100), store('c', 0, 20, 100, 100)],
    });
    expect(plan.moves).toEqual([
      { storeId: 'a', units: 10 },
      { storeId: 'c', units: 24 },
    ]);
    expect(plan).toMatchObject({ totalNeed: 34, totalMoved: 34, dcRemaining: 66 });
    expect(plan.stores.find((s) => s.storeId === 'b')?.reason).toContain('covered, no move');
  });

  it('shares a short DC in proportion to need by largest remainder', () => {
    // Needs 10 and 24, DC 20: quotas 5.88 and 14.12 → 5 + 14, the unit left goes to a (.88).
    const plan = planReplenishment({ dcAvailable: 20, stores: [store('a', 5, 10, 120, 100), store('c', 0, 20, 100, 100)] });
    expect(plan.moves).toEqual([
      { storeId: 'a', units: 6 },
      { storeId: 'c', units: 14 },
    ]);
    expect(plan.dcRemaining).toBe(0);
    expect(plan.stores[0]?.reason).toContain('DC short, sent 6 (60% of need)');
  });

  it('bounds the sell-through pace so one odd period cannot triple or zero a store', () => {
    const plan = planReplenishment({ dcAvailable: 1000, stores: [store('hot', 0, 10, 500, 100), store('cold', 0, 10, -40, 100), store('new', 0, 10, 0, 0)] });
    expect(plan.stores.map((s) => [s.storeId, s.pace, s.need])).toEqual([
      ['cold', 0.5, 6], // 5 + 1 safety
      ['hot', 2, 24], // 20 + 4
      ['new', 1, 12], // nothing planned yet: pace 1
    ]);
  });

  it('uses a store’s own safety stock when given and the ratio otherwise', () => {
    const plan = planReplenishment({
      dcAvailable: 100,
      safetyRatio: 0.5,
      stores: [{ ...store('a', 0, 10, 10, 10), safetyStock: 3 }, store('b', 0, 10, 10, 10)],
    });
    expect(plan.stores.map((s) => s.need)).toEqual([13, 15]);
  });

  it('counts a negative on-hand as zero and says so', () => {
    const plan = planReplenishment({ dcAvailable: 100, stores: [store('a', -4, 10, 10, 10)] });
    expect(plan.stores[0]).toMatchObject({ need: 12, units: 12 });
    expect(plan.stores[0]?.reason).toContain('reported -4, counted as 0');
  });

  it('never moves more than the DC has nor more than a store needs, and leaves no stock negative, over 1,000 random cases', () => {
    const random = seededRandom(61);
    const failures: string[] = [];
    for (let trial = 0; trial < 1000; trial++) {
      const dcAvailable = intBetween(random, 0, trial % 3 === 0 ? 50 : 5000);
      const stores = Array.from({ length: intBetween(random, 1, 40) }, (_, i) =>
        store(`s${i}`, random() < 0.1 ? -random() * 5 : random() * 80, random() * 60, random() * 300 - 20, random() < 0.1 ? 0 : random() * 300),
      );
      const plan = planReplenishment({ dcAvailable, stores });
      const moved = plan.stores.reduce((s, p) => s + p.units, 0);
      const problems = [
        moved > dcAvailable && `moved ${moved} > DC ${dcAvailable}`,
        moved !== plan.totalMoved && 'totalMoved disagrees',
        plan.dcRemaining !== dcAvailable - moved && 'dcRemaining disagrees',
        plan.totalNeed <= dcAvailable && moved !== plan.totalNeed && 'DC could cover every need but did not',
        plan.totalNeed > dcAvailable && moved !== dcAvailable && 'short DC not emptied',
        ...plan.stores.map((p) => {
          const onHand = Math.max(0, stores.find((s) => s.storeId === p.storeId)!.onHand);
          return (!Number.isInteger(p.units) || p.units < 0 || p.units > p.need || onHand + p.units < 0) && `${p.storeId}: ${p.units} of need ${p.need}`;
        }),
      ].filter((p) => p !== false);
      if (problems.length > 0) failures.push(`trial ${trial}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a store listed twice and a fractional DC count', () => {
    for (const input of [
      { dcAvailable: 10, stores: [store('a', 0, 1, 1, 1), store('a', 0, 1, 1, 1)] },
      { dcAvailable: 10.5, stores: [store('a', 0, 1, 1, 1)] },
    ]) {
      expect(() => planReplenishment(input)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }) as BatonError);
    }
  });
});
