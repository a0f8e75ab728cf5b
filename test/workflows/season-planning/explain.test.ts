// The words explanations are written with (explain.ts): amounts in the history's quantity, singular and plural.
import { expect, it } from 'vitest';
import { explain } from '../../../src/workflows/season-planning/explain.js';

it('names an amount in units, one unit in the singular, and money as sales value', () => {
  expect(explain.amount(1, 'units')).toBe('1 unit');
  expect(explain.amount(0, 'units')).toBe('0 units');
  expect(explain.amount(1234.4, 'units')).toBe('1,234 units');
  expect(explain.amount(1, 'sales_value')).toBe('1 in sales value');
});
