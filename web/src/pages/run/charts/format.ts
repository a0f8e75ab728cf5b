/** Number formats the charts share. */
import type { Quantity } from '../../../../../src/workflows/season-planning/contracts.js';

export const units = (n: number) => Math.round(n).toLocaleString('en');
export const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;
export const money = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });

/** What a season's figures count: units, or sales value (money at full price) when its history was imported so. */
export type Measure = Quantity;
/** "1,234 units" or "1,234 in sales value", as the agents word it (web/ may not import their explain.ts). */
export const amount = (n: number, measure: Measure) => `${units(n)} ${measure === 'units' ? 'units' : 'in sales value'}`;
/** An axis name: "Units sold" or "Sales value sold". */
export const axisName = (what: string, measure: Measure) => `${measure === 'units' ? 'Units' : 'Sales value'}${what ? ` ${what}` : ''}`;
