import { describe, expect, it } from 'vitest';
import { forecast, forecastPanel, forecastPanelInSlices, type PanelSeries } from '../../src/forecasting/index.js';
import { Matrix, SVD } from 'ml-matrix';
import { lowRankReconstruction } from '../../src/forecasting/pooling.js';

/** Deterministic standard normal draws (LCG + Box–Muller), so the synthetic panels are the same on every run. */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

// A shared yearly shape with a holiday peak: every store of the department follows it at its own level.
const shape = (week: number) => 1 + 0.3 * Math.sin((2 * Math.PI * week) / 52) + (week % 52 === 46 ? 1.2 : 0) + (week % 52 === 47 ? 0.6 : 0);

function syntheticGroup(group: string, stores: number, weeks: number, horizon: number, noise: number, seed: number) {
  const draw = normals(seed);
  return Array.from({ length: stores }, (_, s) => {
    const level = 100 * (1 + s);
    const signal = Array.from({ length: weeks + horizon }, (_, t) => level * shape(t));
    const values = signal.slice(0, weeks).map((v) => v + noise * level * draw());
    return { id: `${group}-${s}`, group, values, future: signal.slice(weeks) };
  });
}

const totalAbsoluteError = (cases: { future: number[] }[], forecasts: number[][]) =>
  cases.reduce((acc, c, i) => acc + c.future.reduce((e, v, h) => e + Math.abs(v - forecasts[i]![h]!), 0), 0);

describe('low-rank reconstruction', () => {
  it('keeps the largest singular direction: rank 1 of [[3,0],[0,1]] is [[3,0],[0,0]]', () => {
    const fit = lowRankReconstruction(
      [
        [3, 0],
        [0, 1],
      ],
      1,
    );
    expect(fit.rank).toBe(1);
    fit.rows.flat().forEach((v, i) => expect(v).toBeCloseTo([3, 0, 0, 0][i]!, 10));
  });

  it('returns rows of rank one exactly, whatever rank is asked', () => {
    const rows = [
      [1, 2, 3, 4],
      [2, 4, 6, 8],
      [-1, -2, -3, -4],
    ];
    expect(
      lowRankReconstruction(rows, 2)
        .rows.flat()
        .map((v) => Math.round(v * 1e9) / 1e9),
    ).toEqual(rows.flat());
    expect(
      lowRankReconstruction(rows, 1)
        .rows.flat()
        .map((v) => Math.round(v * 1e9) / 1e9),
    ).toEqual(rows.flat());
  });

  it('matches the truncated SVD of the matrix, wider than tall or taller than wide', () => {
    const draw = normals(11);
    for (const [m, n] of [
      [12, 40],
      [40, 12],
    ] as const) {
      const rows = Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, t) => 50 * shape(t) * (1 + i / m) + 5 * draw()));
      const svd = new SVD(new Matrix(rows), { autoTranspose: true });
      const expected = rows.map((row, i) =>
        row.map((_, t) => [0, 1, 2].reduce((v, k) => v + svd.diagonal[k]! * svd.leftSingularVectors.get(i, k) * svd.rightSingularVectors.get(t, k), 0)),
      );
      const fit = lowRankReconstruction(rows, 3);
      expect(fit.rank).toBe(3);
      fit.rows.forEach((row, i) => row.forEach((v, t) => expect(v).toBeCloseTo(expected[i]![t]!, 8)));
    }
  });

  it('leaves all-zero rows as they are', () => {
    expect(
      lowRankReconstruction(
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
        1,
      ).rows,
    ).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});

describe('forecasting a panel of grouped series', () => {
  it('pooling the stores of a department beats forecasting each noisy store alone', () => {
    const horizon = 26;
    const cases = [...syntheticGroup('a', 16, 104, horizon, 0.25, 1), ...syntheticGroup('b', 12, 104, horizon, 0.25, 2)];
    for (const method of ['seasonal', 'snaive', 'ensemble'] as const) {
      const alone = cases.map((c) => forecast(c.values, { horizon, method }).forecast);
      const pooled = forecastPanel(cases, { horizon, method }).map((r) => r.forecast);
      // Rank ≤ 4 of 12–16 noisy rows keeps the shared shape and drops most of each row's own noise.
      expect(totalAbsoluteError(cases, pooled)).toBeLessThan(0.8 * totalAbsoluteError(cases, alone));
    }
  });

  it('returns one result per series in the input order, with its id and group', () => {
    const cases = [...syntheticGroup('x', 4, 80, 5, 0.1, 3), ...syntheticGroup('y', 3, 80, 5, 0.1, 4)].reverse();
    const results = forecastPanel(cases, { horizon: 5 });
    expect(results.map((r) => [r.id, r.group])).toEqual(cases.map((c) => [c.id, c.group]));
    results.forEach((r) => expect(r.forecast).toHaveLength(5));
  });

  it('gives the event loop turns while it forecasts in slices, with the same results as in one piece', async () => {
    const cases = [...syntheticGroup('x', 5, 80, 5, 0.1, 7), ...syntheticGroup('y', 4, 80, 5, 0.1, 8)];
    // Something else the process has to do, a step at a time, as a worker renewing its leases would.
    let turns = 0;
    let counting = true;
    const count = () => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const sliced = await forecastPanelInSlices(cases, { horizon: 5 }, 0);
    counting = false;
    // With no time allowed per slice it yields after each group's pooling and each series: 2 + 9 turns.
    expect(turns).toBeGreaterThanOrEqual(11);
    expect(sliced).toEqual(forecastPanel(cases, { horizon: 5 }));
  });

  it('forecasts a group of fewer than three series exactly as forecast does, without pooling', () => {
    const cases = syntheticGroup('pair', 2, 90, 8, 0.2, 5);
    const results = forecastPanel(cases, { horizon: 8 });
    cases.forEach((c, i) => expect(results[i]!.forecast).toEqual(forecast(c.values, { horizon: 8 }).forecast));
    expect(results.every((r) => !r.notes.join(' ').includes('pooled'))).toBe(true);
  });

  it('decides on last year for a short history from the whole group’s evidence', () => {
    // 67 weeks: one season plus 15 weeks is too little evidence for one series, enough for a group of six.
    const cases = syntheticGroup('short', 6, 67, 13, 0.05, 6);
    const alone = forecast(cases[0]!.values, { horizon: 13 });
    // Alone: the combination (last year only as one member of its mean); pooled: last year outright.
    expect(alone.notes.join(' ')).toContain('ensemble: mean of');
    expect(alone.notes.join(' ')).not.toContain('ensemble: seasonal anchor');
    for (const result of forecastPanel(cases, { horizon: 13 })) expect(result.notes.join(' ')).toContain('ensemble: seasonal anchor');
  });

  it('keeps the noise pooling removed in the intervals: the 95% band of a pooled forecast is not narrower than its model error alone', () => {
    const cases = syntheticGroup('band', 12, 104, 13, 0.3, 7);
    const pooled = forecastPanel(cases, { horizon: 13, method: 'seasonal' });
    const unpooled = forecastPanel(cases, { horizon: 13, method: 'seasonal', rank: 0 });
    pooled.forEach((r, i) => {
      expect(r.lo95[0]!).toBeLessThan(r.forecast[0]!);
      // The same order of width as the raw series' own: pooling must not make the band collapse.
      expect(r.hi95[0]! - r.lo95[0]!).toBeGreaterThan(0.5 * (unpooled[i]!.hi95[0]! - unpooled[i]!.lo95[0]!));
    });
  });

  it('copes with gaps, returns, late starts, empty and constant series in one group', () => {
    const base = syntheticGroup('odd', 6, 100, 10, 0.1, 8);
    const cases: PanelSeries[] = [
      ...base.map(({ id, group, values }) => ({ id, group, values })),
      { id: 'gappy', group: 'odd', values: base[0]!.values.map((v, t) => (t % 9 === 3 ? null : v)) },
      { id: 'returns', group: 'odd', values: base[1]!.values.map((v, t) => (t % 17 === 0 ? -50 : v)) },
      { id: 'late', group: 'odd', values: [...new Array<null>(90).fill(null), ...base[2]!.values.slice(90)] },
      { id: 'empty', group: 'odd', values: new Array<null>(100).fill(null) },
      { id: 'flat', group: 'odd', values: new Array<number>(100).fill(7) },
    ];
    const results = forecastPanel(cases, { horizon: 10 });
    for (const r of results) for (const v of [...r.forecast, ...r.lo95, ...r.hi95]) expect(Number.isFinite(v)).toBe(true);
    expect(results.find((r) => r.id === 'empty')!.forecast).toEqual(new Array<number>(10).fill(0));
    expect(results.find((r) => r.id === 'late')!.notes.join(' ')).not.toContain('pooled');
    expect(results.find((r) => r.id === 'returns')!.notes.join(' ')).toContain('negative value(s) kept as returns');
  });

  it('floors demand at zero when asked, even for a series with returns, and keeps the sign otherwise', () => {
    // A small department fading out, with returns: its trend runs below zero within the horizon (Walmart had 87 such series).
    const fading = (k: number) => Array.from({ length: 60 }, (_, t) => (t % 11 === 5 ? -20 : 60 - t + 3 * Math.sin(t + k)));
    const cases: PanelSeries[] = [0, 1, 2, 3].map((k) => ({ id: `fade-${k}`, group: 'dept', values: fading(k) }));
    const signed = forecastPanel(cases, { horizon: 12, method: 'theta' });
    const floored = forecastPanel(cases, { horizon: 12, method: 'theta', floorAtZero: true });
    expect(Math.min(...signed.flatMap((r) => r.forecast))).toBeLessThan(0);
    for (const r of floored) for (const v of [...r.forecast, ...r.lo80, ...r.lo95]) expect(v).toBeGreaterThanOrEqual(0);
    expect(floored[0]!.notes.join(' ')).toContain('floored at zero (demand)');
    expect(forecast(fading(0), { horizon: 12, method: 'theta', floorAtZero: true }).forecast.every((v) => v >= 0)).toBe(true);
  });

  it('refuses duplicate ids and invalid options with INVALID_PARAMETERS', () => {
    const one = { id: 's', group: 'g', values: [1, 2, 3] };
    expect(() => forecastPanel([one, one], { horizon: 2 })).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }));
    expect(() => forecastPanel([one], { horizon: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }));
    expect(() => forecastPanel([one], { horizon: 2, rank: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }));
  });
});
