/** One ordering of store ids for every tie-break in the allocation library, so results never depend on input order. */

const WHOLE_NUMBER = /^\d+$/;

/**
 * Natural order: ids that are both whole numbers compare by value ("2" before "10", as the Walmart
 * store numbers read); anything else compares by UTF-16 code units, which, unlike localeCompare,
 * gives the same answer on every machine.
 */
export function compareKeys(a: string, b: string): number {
  if (WHOLE_NUMBER.test(a) && WHOLE_NUMBER.test(b)) {
    const byValue = BigInt(a) - BigInt(b);
    if (byValue !== 0n) return byValue < 0n ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ids that occur more than once, each named once, in order of first repeat. */
export function repeatedKeys(keys: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const key of keys) (seen.has(key) ? repeated : seen).add(key);
  return [...repeated];
}
