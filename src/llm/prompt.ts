/**
 * The few-shot prompt: the conventions of DESIGN.md in words, three worked examples (one with
 * gaps, to show that null beats a guess), then the planner's text and the fields wanted.
 */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ALLOWED_VALUES, PARAMETER_FIELDS, type ParameterField, weekdayOf } from './season-parameters.js';

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const SYSTEM = `You extract retail season-planning parameters from a planner's request.
Answer with ONE JSON object and nothing else. Keys:
${PARAMETER_FIELDS.map((field) => `- ${field}: ${ALLOWED_VALUES[field]}`).join('\n')}
- sources: for each field you filled, the exact words of the request it came from
- extraction_reasoning: one or two sentences on how you read the request
- confidence_score: 0 to 1, how sure you are overall

Conventions:
- "N months" = round(N × 52 / 12) weeks; a year = 52 weeks; number words count ("twelve weeks").
- season_end_date = season_start_date + 7 × forecast_horizon_weeks days. If the request gives start and end dates instead of a length, forecast_horizon_weeks = days between them / 7.
- A date without a year is its next occurrence on or after the reference date. "next Monday" is the first Monday strictly after the reference date.
- Replenishment: weekly / every week → "weekly"; bi-weekly, fortnightly, every two weeks, every other week → "bi-weekly"; no replenishment, no restocking, one-time allocation → "none".
- DC holdback is the share of stock kept at the distribution center (DC, warehouse, reserve, held back) as a fraction: 15% → 0.15, a fifth → 0.2; "ship everything" or "nothing held back" → 0.
- Markdown: the checkpoint week and the sell-through threshold below which to mark down (60% → 0.6). "No markdowns" or no mention of markdowns → both null.
- Use null for anything the request does not say. Never guess a value that is not in the request. Report out-of-range values as said (a 60-week season is 60).`;

interface Example {
  referenceDate: string;
  text: string;
  answer: Record<string, unknown>;
}

const EXAMPLES: readonly Example[] = [
  {
    referenceDate: '2025-02-03',
    text: 'Ten-week spring drop from March 10, restock every other week, keep a quarter at the warehouse, markdown review in week 6 if sell-through is under 45%.',
    answer: {
      forecast_horizon_weeks: 10,
      season_start_date: '2025-03-10',
      season_end_date: '2025-05-19',
      replenishment_strategy: 'bi-weekly',
      dc_holdback_percentage: 0.25,
      markdown_checkpoint_week: 6,
      markdown_threshold: 0.45,
      sources: {
        forecast_horizon_weeks: 'Ten-week',
        season_start_date: 'from March 10',
        replenishment_strategy: 'restock every other week',
        dc_holdback_percentage: 'keep a quarter at the warehouse',
        markdown_checkpoint_week: 'in week 6',
        markdown_threshold: 'under 45%',
      },
      extraction_reasoning: 'Ten weeks from March 10 (next occurrence: 2025) ends May 19; every other week is bi-weekly; a quarter is 0.25.',
      confidence_score: 0.95,
    },
  },
  {
    referenceDate: '2025-05-20',
    text: 'Six-month program starting next Monday, one-time allocation, nothing held back.',
    answer: {
      forecast_horizon_weeks: 26,
      season_start_date: '2025-05-26',
      season_end_date: '2025-11-24',
      replenishment_strategy: 'none',
      dc_holdback_percentage: 0,
      markdown_checkpoint_week: null,
      markdown_threshold: null,
      sources: {
        forecast_horizon_weeks: 'Six-month',
        season_start_date: 'next Monday',
        replenishment_strategy: 'one-time allocation',
        dc_holdback_percentage: 'nothing held back',
      },
      extraction_reasoning: '6 months = round(6 × 52 / 12) = 26 weeks; the first Monday after Tuesday 2025-05-20 is 2025-05-26; no markdowns mentioned.',
      confidence_score: 0.9,
    },
  },
  {
    referenceDate: '2025-01-10',
    text: 'Weekly replenishment, 20% in reserve.',
    answer: {
      forecast_horizon_weeks: null,
      season_start_date: null,
      season_end_date: null,
      replenishment_strategy: 'weekly',
      dc_holdback_percentage: 0.2,
      markdown_checkpoint_week: null,
      markdown_threshold: null,
      sources: { replenishment_strategy: 'Weekly replenishment', dc_holdback_percentage: '20% in reserve' },
      extraction_reasoning: 'The request gives neither the season length nor its start, so both are null.',
      confidence_score: 0.9,
    },
  },
];

function request(text: string, referenceDate: string, fields: readonly ParameterField[]): string {
  const wanted = fields.length === PARAMETER_FIELDS.length ? 'all fields' : `only these fields (the others are known): ${fields.join(', ')}`;
  return `Reference date: ${referenceDate} (${WEEKDAY_NAMES[weekdayOf(referenceDate)] ?? ''})\nExtract ${wanted}.\nRequest: """${text}"""`;
}

export function buildMessages(text: string, referenceDate: string, fields: readonly ParameterField[]): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: SYSTEM },
    ...EXAMPLES.flatMap((example): ChatCompletionMessageParam[] => [
      { role: 'user', content: request(example.text, example.referenceDate, PARAMETER_FIELDS) },
      { role: 'assistant', content: JSON.stringify(example.answer) },
    ]),
    { role: 'user', content: request(text, referenceDate, fields) },
  ];
}
