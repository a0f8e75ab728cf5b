/** Short explanations of each decision, written from the numbers (the event log carries them). */
import type { SalesQuantity } from './data/index.js';

const units = (n: number): string => Math.round(n).toLocaleString('en-US');
const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 && share > -0.1 ? 1 : 0)}%`;
/**
 * An amount of the history's quantity with its word: "1,234 units", or "1,234 in sales value"
 * when the history is money (the plan's figures are then value at full price, never units).
 */
const amount = (n: number, quantity: SalesQuantity): string =>
  `${units(n)} ${quantity === 'sales_value' ? 'in sales value' : Math.round(n) === 1 ? 'unit' : 'units'}`;

export const explain = { units, percent, amount };
