/**
 * Numbers as planners write them: digits ("12", "8,000", "0.15", ".5"), words ("twelve",
 * "twenty-six", "a dozen"), ordinals ("8th", "eighth"), shares ("15%", "15 per cent", "0.15",
 * "a fifth", "one quarter", "1/5", "half"). Patterns are exported as regex sources to compose.
 */

const UNIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;
const TEEN_WORDS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'] as const;
const TENS_WORDS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;

const WORD_VALUE = new Map<string, number>([
  ...UNIT_WORDS.map((word, i) => [word, i] as const),
  ...TEEN_WORDS.map((word, i) => [word, 10 + i] as const),
  ...TENS_WORDS.map((word, i) => [word, 20 + 10 * i] as const),
  ['dozen', 12],
  ['hundred', 100],
]);

const ORDINAL_UNITS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'] as const;
const ORDINAL_TEENS = [
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
  'fourteenth',
  'fifteenth',
  'sixteenth',
  'seventeenth',
  'eighteenth',
  'nineteenth',
] as const;
const ORDINAL_TENS = ['twentieth', 'thirtieth', 'fortieth', 'fiftieth'] as const;
const ORDINAL_VALUE = new Map<string, number>([
  ...ORDINAL_UNITS.map((word, i) => [word, i + 1] as const),
  ...ORDINAL_TEENS.map((word, i) => [word, 10 + i] as const),
  ...ORDINAL_TENS.map((word, i) => [word, 20 + 10 * i] as const),
]);

const alternatives = (words: readonly string[]): string => words.join('|');
const unitsAfterTens = alternatives(UNIT_WORDS.slice(1));

/** A cardinal number in words: "twelve", "twenty-six", "fifty two", "a dozen", "one hundred". */
export const WORD_NUMBER = `(?:(?:${alternatives(TENS_WORDS)})(?:[- ](?:${unitsAfterTens}))?|${alternatives(TEEN_WORDS)}|${alternatives(UNIT_WORDS)}|(?:a |one )?hundred|(?:a |half a )?dozen)`;

/** A number in digits: "12", "8,000", "0.15", ".5". */
export const DIGIT_NUMBER = `(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)`;

/** Any cardinal, in digits or words, as a whole word. */
export const NUMBER = `(?:(?<![\\d.,])${DIGIT_NUMBER}|\\b${WORD_NUMBER}\\b)`;

/** "8th", "1st", "eighth", "twenty-first". */
export const ORDINAL = `(?:\\d+(?:st|nd|rd|th)|\\b(?:(?:twenty|thirty|forty|fifty)[- ])?(?:${alternatives(ORDINAL_UNITS)})\\b|\\b(?:${alternatives([...ORDINAL_TEENS, ...ORDINAL_TENS])})\\b)`;

const DENOMINATORS: Record<string, number> = {
  half: 2,
  halves: 2,
  third: 3,
  thirds: 3,
  quarter: 4,
  quarters: 4,
  fourth: 4,
  fourths: 4,
  fifth: 5,
  fifths: 5,
  sixth: 6,
  sixths: 6,
  seventh: 7,
  sevenths: 7,
  eighth: 8,
  eighths: 8,
  ninth: 9,
  ninths: 9,
  tenth: 10,
  tenths: 10,
};

/** "a fifth", "one quarter", "two thirds", "half", "3/10". */
export const FRACTION = `(?:\\b(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine)[- ])?(?:${Object.keys(DENOMINATORS)
  .sort((a, b) => b.length - a.length)
  .join('|')})\\b|\\b\\d{1,2}\\s?/\\s?\\d{1,3}\\b)`;

/** "15%", "15 %", "15 percent", "15 per cent", "15 pct", "fifteen percent", and "12,5%" (a decimal comma). */
export const PERCENT = `(?:(?<![\\d.,])\\d{1,2},\\d{1,2}\\s?%|${NUMBER}\\s?(?:%|\\bper[- ]?cent\\b|\\bpct\\b))`;

const WHOLE_PERCENT = new RegExp(`^(${NUMBER})\\s?(?:%|per[- ]?cent|pct)$`);

/** A share in any form: percentage, fraction or a plain decimal. */
export const SHARE = `(?:${PERCENT}|${FRACTION}|${DIGIT_NUMBER})`;

/** The value of a cardinal in digits or words, or undefined when it is not one. */
export function parseNumber(raw: string): number | undefined {
  const text = raw.trim().toLowerCase();
  if (/^[\d.,]+$/.test(text)) {
    const value = Number(text.replace(/,/g, ''));
    return Number.isFinite(value) ? value : undefined;
  }
  if (text === 'a' || text === 'an') return 1;
  if (text === 'half a dozen') return 6;
  if (/^(?:a |one )?hundred$/.test(text)) return 100;
  if (/^(?:a )?dozen$/.test(text)) return 12;
  const parts = text.split(/[- ]+/);
  let total = 0;
  for (const part of parts) {
    const value = WORD_VALUE.get(part);
    if (value === undefined) return undefined;
    total += value;
  }
  return parts.length > 0 ? total : undefined;
}

/** The value of an ordinal ("8th", "eighth", "twenty-first"), or undefined. */
export function parseOrdinal(raw: string): number | undefined {
  const text = raw.trim().toLowerCase();
  const digits = /^(\d+)(?:st|nd|rd|th)$/.exec(text);
  if (digits?.[1] !== undefined) return Number(digits[1]);
  const parts = text.split(/[- ]+/);
  const last = parts.pop() ?? '';
  const ordinal = ORDINAL_VALUE.get(last);
  if (ordinal === undefined) return undefined;
  const tens = parts.length === 1 ? WORD_VALUE.get(parts[0] ?? '') : 0;
  return tens === undefined ? undefined : tens + ordinal;
}

/** A number or an ordinal, whichever the words are. */
export const parseCount = (raw: string): number | undefined => parseNumber(raw) ?? parseOrdinal(raw);

/**
 * A share from 0 to 1: "15%" → 0.15, "a fifth" → 0.2, "3/10" → 0.3, "0.12" → 0.12. A bare
 * number above 1 reads as a percentage ("holdback 15" → 0.15); callers decide whether to allow it.
 */
export function parseShare(raw: string): number | undefined {
  const text = raw.trim().toLowerCase();
  const decimalComma = /^(\d{1,2}),(\d{1,2})\s?%$/.exec(text);
  if (decimalComma) return Number(`${decimalComma[1]}.${decimalComma[2]}`) / 100;
  const percent = WHOLE_PERCENT.exec(text);
  if (percent?.[1] !== undefined) {
    const value = parseNumber(percent[1]);
    return value === undefined ? undefined : value / 100;
  }
  const slash = /^(\d{1,2})\s?\/\s?(\d{1,3})$/.exec(text);
  if (slash?.[1] !== undefined && slash[2] !== undefined) return Number(slash[2]) === 0 ? undefined : Number(slash[1]) / Number(slash[2]);
  const fraction = /^(?:(\w+)[- ])?(\w+)$/.exec(text);
  const denominator = fraction?.[2] === undefined ? undefined : DENOMINATORS[fraction[2]];
  if (fraction && denominator !== undefined) {
    const numerator = fraction[1] === undefined ? 1 : parseNumber(fraction[1]);
    return numerator === undefined ? undefined : numerator / denominator;
  }
  const plain = parseNumber(text);
  if (plain === undefined) return undefined;
  return plain > 1 ? plain / 100 : plain;
}
