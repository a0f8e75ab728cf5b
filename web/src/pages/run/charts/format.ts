/** Number formats the charts share. */
export const units = (n: number) => Math.round(n).toLocaleString('en');
export const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;
export const money = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });
