/** Short explanations of each decision, written from the numbers (the event log carries them). */
const units = (n: number): string => Math.round(n).toLocaleString('en-US');
const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 && share > -0.1 ? 1 : 0)}%`;

export const explain = { units, percent };
