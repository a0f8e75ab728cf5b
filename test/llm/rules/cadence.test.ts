// Replenishment cadence: the synonyms of weekly, bi-weekly and none, and cadences Baton does not plan.
import { describe, expect, it } from 'vitest';
import { findCadence } from '../../../src/llm/rules/cadence.js';
import { Scan } from '../../../src/llm/rules/scan.js';

const cadenceOf = (text: string) => findCadence(new Scan(text))?.value;

describe('cadence', () => {
  it.each([
    'Weekly replenishment',
    'replenish weekly',
    'replenishment every week',
    'restock each week',
    'stores are restocked once a week',
    'every-week replenishment',
    'weekly top-ups',
  ])('"%s" is weekly', (text) => expect(cadenceOf(text)).toBe('weekly'));

  it.each([
    'bi-weekly replenishment',
    'biweekly restocking',
    'replenish fortnightly',
    'restocked every two weeks',
    'replenishment every other week',
    'restock every 2 weeks',
    'bi weekly replenishment',
  ])('"%s" is bi-weekly', (text) => expect(cadenceOf(text)).toBe('bi-weekly'));

  it.each([
    'no replenishment',
    'No restocking',
    'one-time allocation',
    'a one-off allocation',
    'we will not replenish',
    'Replenishment: none',
    'no weekly replenishment',
    'without any restocking',
  ])('"%s" is none', (text) => expect(cadenceOf(text)).toBe('none'));

  it('reports a cadence Baton does not plan as said, so validation can name the allowed ones', () => {
    expect(cadenceOf('monthly replenishment')).toBe('monthly');
    expect(cadenceOf('restock daily')).toBe('daily');
  });

  it('prefers the cadence said next to a restock word', () => {
    expect(cadenceOf('weekly sales review, bi-weekly replenishment')).toBe('bi-weekly');
    expect(cadenceOf('a monthly review with weekly restocking')).toBe('weekly');
  });

  it('finds nothing where no cadence is said', () => {
    expect(cadenceOf('12-week season starting 2025-04-07 with 10% held at the DC')).toBeUndefined();
  });

  it('keeps the words it read and blanks them for the other rule families', () => {
    const scan = new Scan('Stores get restocked every two weeks; 12 weeks');
    const found = findCadence(scan);
    expect(found?.words).toBe('every two weeks');
    expect(scan.text).not.toContain('two weeks');
    expect(scan.text).toContain('12 weeks');
  });
});
