// A large, valid weekly sales CSV made on the fly (stores × departments × weeks, Walmart's columns), for the import test and bench:import.

export interface SalesCsv {
  rows: number;
  bytes: number;
  /** The file in pieces of about 64 KB, made anew on each call (never held whole). */
  chunks(): Generator<string>;
}

export function salesCsv({
  stores,
  departments,
  weeks,
  firstWeek = '2010-02-05',
}: {
  stores: number;
  departments: number;
  weeks: number;
  firstWeek?: string;
}): SalesCsv {
  const start = Date.parse(`${firstWeek}T00:00:00Z`);
  const dates = Array.from({ length: weeks }, (_, w) => new Date(start + w * 7 * 86_400_000).toISOString().slice(0, 10));
  const units = (s: number, d: number, w: number): string => (((s * 7919 + d * 104_729 + w * 1_299_709) % 5_000_000) / 100).toFixed(2);
  function* chunks(): Generator<string> {
    let piece = 'Store,Dept,Date,Weekly_Sales\n';
    for (let s = 1; s <= stores; s++) {
      for (let d = 1; d <= departments; d++) {
        for (let w = 0; w < weeks; w++) {
          piece += `${s},${d},${dates[w]},${units(s, d, w)}\n`;
          if (piece.length > 65_536) {
            yield piece;
            piece = '';
          }
        }
      }
    }
    if (piece) yield piece;
  }
  let bytes = 0;
  for (const piece of chunks()) bytes += Buffer.byteLength(piece);
  return { rows: stores * departments * weeks, bytes, chunks };
}
