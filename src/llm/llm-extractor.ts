/**
 * Asks the language model for some or all fields and reads its answer into a draft. The answer
 * is untrusted: each field is coerced the way the rules read words ("12 weeks", "15%",
 * "fortnightly"), then the same business rules as the offline path judge it. Any failure to get
 * a readable answer becomes `llm_unavailable`.
 */
import { z } from 'zod';
import { type Draft, emptyDraft, type DraftValues, setField } from './draft.js';
import { llmUnavailable } from './errors.js';
import { buildMessages } from './prompt.js';
import { createChatClient, DEFAULT_TIMEOUT_MS, describeFailedCall, failedCallStatus, type LlmSettings } from './provider.js';
import { findCadence } from './rules/cadence.js';
import { findDates } from './rules/dates.js';
import { findHorizon } from './rules/durations.js';
import { parseCount, parseNumber, parseShare } from './rules/numbers.js';
import { Scan } from './rules/scan.js';
import { type ParameterField, REPLENISHMENT_STRATEGIES } from './season-parameters.js';

/** Used when the model gives no confidence of its own. */
const DEFAULT_LLM_CONFIDENCE = 0.75;

// Loose on purpose: a wrong type in one field should cost that field, not the whole answer.
const LlmAnswer = z.looseObject({
  sources: z.record(z.string(), z.unknown()).optional().catch(undefined),
  extraction_reasoning: z.string().optional().catch(undefined),
  confidence_score: z.number().min(0).max(1).optional().catch(undefined),
});

export async function askLanguageModel(settings: LlmSettings, text: string, referenceDate: string, fields: readonly ParameterField[]): Promise<Draft> {
  let content: string | null | undefined;
  let describe = 'the language model';
  try {
    const chat = await createChatClient(settings);
    describe = chat.describe;
    const completion = await chat.client.chat.completions.create({
      model: chat.model,
      messages: buildMessages(text, referenceDate, fields),
      response_format: { type: 'json_object' },
      temperature: 0,
    });
    content = completion.choices[0]?.message.content;
  } catch (error) {
    const status = failedCallStatus(error);
    throw llmUnavailable(describeFailedCall(error, describe, settings.timeoutMs ?? DEFAULT_TIMEOUT_MS), fields, {
      cause: error,
      ...(status === undefined ? {} : { status }),
    });
  }
  if (!content) throw llmUnavailable(`${describe} sent an empty answer`, fields);
  const json = parseJsonLoosely(content);
  const answer = LlmAnswer.safeParse(json);
  if (json === undefined || !answer.success)
    throw llmUnavailable(`${describe} answered with something other than a JSON object: ${content.slice(0, 120)}`, fields);
  return draftFromAnswer(answer.data, fields, referenceDate);
}

/** JSON, or the JSON object inside a fenced or chatty answer, with trailing commas forgiven. */
export function parseJsonLoosely(content: string): unknown {
  const attempts = [content];
  const first = content.indexOf('{');
  const last = content.lastIndexOf('}');
  if (first >= 0 && last > first) {
    const object = content.slice(first, last + 1);
    attempts.push(object, object.replace(/,\s*([}\]])/g, '$1'));
  }
  for (const attempt of attempts) {
    try {
      return JSON.parse(attempt) as unknown;
    } catch {
      // try the next repair
    }
  }
  return undefined;
}

type Answer = z.infer<typeof LlmAnswer>;

function draftFromAnswer(answer: Answer, fields: readonly ParameterField[], referenceDate: string): Draft {
  const draft = emptyDraft();
  const confidence = answer.confidence_score ?? DEFAULT_LLM_CONFIDENCE;
  if (answer.extraction_reasoning) draft.notes.push(`language model: ${answer.extraction_reasoning}`);
  for (const field of fields) {
    const raw = answer[field];
    if (raw === undefined || (raw === null && !field.startsWith('markdown_'))) continue;
    const value = coerce(field, raw, referenceDate);
    if (value === undefined) {
      draft.notes.push(`the language model's ${field} (${JSON.stringify(raw)}) could not be read`);
      continue;
    }
    const words = answer.sources?.[field];
    setField(draft, field, value as DraftValues[typeof field], {
      words: typeof words === 'string' ? words : '',
      how: `${field} = ${JSON.stringify(value)} from the language model`,
      by: 'llm',
      confidence,
    });
  }
  draft.markdownMentioned = draft.values.markdown_checkpoint_week != null || draft.values.markdown_threshold != null;
  return draft;
}

/** A field's value from whatever the model wrote, read like the planner's own words. */
function coerce(field: ParameterField, raw: unknown, referenceDate: string): DraftValues[ParameterField] | undefined {
  if (raw === null) return null;
  const words = typeof raw === 'string' ? raw.trim() : undefined;
  switch (field) {
    case 'forecast_horizon_weeks':
      return typeof raw === 'number' ? raw : words === undefined ? undefined : (parseNumber(words) ?? findHorizon(new Scan(words))?.value);
    case 'season_start_date':
    case 'season_end_date':
      if (words === undefined) return undefined;
      return /^\d{4}-\d{2}-\d{2}$/.test(words) ? words : findDates(new Scan(words), referenceDate).start?.value;
    case 'replenishment_strategy':
      if (words === undefined) return undefined;
      return (REPLENISHMENT_STRATEGIES as readonly string[]).includes(words.toLowerCase())
        ? words.toLowerCase()
        : (findCadence(new Scan(words))?.value ?? words);
    case 'dc_holdback_percentage':
    case 'markdown_threshold':
      // A number is taken as said: 15 is out of range, not silently 15%.
      return typeof raw === 'number' ? raw : words === undefined ? undefined : parseShare(words);
    case 'markdown_checkpoint_week':
      return typeof raw === 'number' ? raw : words === undefined ? undefined : parseCount(words.replace(/^week\s*/i, ''));
  }
}
