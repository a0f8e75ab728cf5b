import { describe, expect, it } from 'vitest';
import { forecast, METHODS, type Method } from '../../src/forecasting/index.js';

const constant = new Array<number>(60).fill(42);
const linear = Array.from({ length: 60 }, (_, t) => 10 + 2 * t);
// A pure yearly pattern repeated over four years of weeks (period 52, no trend, no noise).
const pattern = Array.from({ length: 52 }, (_, w) => 100 + (w % 13) * 5 + (w === 47 ? 80 : 0));
const seasonal = [...pattern, ...pattern, ...pattern, ...pattern];

const run = (values: number[], method: Method, horizon = 8) => forecast(values, { horizon, method });

describe('each method on series with known answers', () => {
  it.each(METHODS)('%s forecasts a constant series as that constant with no spread', (method) => {
    const result = run(constant, method);
    for (const value of [...result.forecast, ...result.lo95, ...result.hi95]) expect(value).toBeCloseTo(42, 4);
  });

  it.each(['ets', 'arima'] as const)('%s continues a straight line', (method) => {
    const result = run(linear, method);
    result.forecast.forEach((value, i) => expect(value).toBeCloseTo(10 + 2 * (60 + i), 0));
  });

  it('theta continues a straight line at (1 − 1/θ) of its slope from the last value, θ = 4 being the best fit', () => {
    // A perfect line makes the theta line the line itself; SES of it ends at the last value (128) and stays flat,
    // so the forecast is (1 − 1/θ)·line + (1/θ)·128, and the in-sample error shrinks as θ grows.
    const result = run(linear, 'theta');
    result.forecast.forEach((value, i) => expect(value).toBeCloseTo(0.75 * (10 + 2 * (60 + i)) + 0.25 * 128, 3));
  });

  it('the ensemble continues a straight line, short only by its Theta share and a little damping', () => {
    const result = run(linear, 'ensemble');
    result.forecast.forEach((value, i) => expect(Math.abs(value - (10 + 2 * (60 + i)))).toBeLessThanOrEqual((2 * (i + 1)) / 4 / 5 + 0.05 * (i + 1)));
  });

  it('naive repeats the last value and seasonal naive the value one year before', () => {
    expect(run(linear, 'naive').forecast).toEqual(new Array<number>(8).fill(128));
    expect(run(seasonal, 'snaive', 52).forecast).toEqual(pattern);
  });

  it('the seasonal anchor repeats a pure 52-week pattern exactly', () => {
    run(seasonal, 'seasonal', 52).forecast.forEach((value, i) => expect(value).toBeCloseTo(pattern[i]!, 6));
  });

  it.each(['ensemble', 'ets', 'theta', 'arima'] as const)('%s continues a smooth yearly cycle of 52.18 weeks', (method) => {
    const cycle = (t: number) => 500 + 50 * Math.sin((2 * Math.PI * t) / (365.2425 / 7));
    const history = Array.from({ length: 260 }, (_, t) => cycle(t));
    run(history, method, 26).forecast.forEach((value, i) => expect(value).toBeCloseTo(cycle(260 + i), 0));
  });

  it.each(METHODS)('%s gives nested intervals around the forecast', (method) => {
    const noisy = seasonal.map((v, t) => v + ((t * 7919) % 17) - 8);
    const r = run(noisy, method, 13);
    r.forecast.forEach((f, i) => {
      expect(r.lo95[i]!).toBeLessThanOrEqual(r.lo80[i]!);
      expect(r.lo80[i]!).toBeLessThanOrEqual(f);
      expect(f).toBeLessThanOrEqual(r.hi80[i]!);
      expect(r.hi80[i]!).toBeLessThanOrEqual(r.hi95[i]!);
      expect(r.hi95[i]! - r.lo95[i]!).toBeGreaterThan(0);
    });
  });

  it('refuses invalid options with INVALID_PARAMETERS', () => {
    expect(() => forecast([1, 2, 3], { horizon: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }));
  });
});
