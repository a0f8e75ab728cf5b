/**
 * A role played by a language model: the role's system prompt (prompts/<ROLE>.md), the role's
 * context as JSON, and a JSON answer read into the role's output. Through the official `openai`
 * package and the same settings as parameter extraction (`src/llm/provider.ts`).
 */
import { z } from 'zod';
import { AgentError, BatonError } from '../../../errors/index.js';
import { issuesOf } from '../../../errors/zod-issues.js';
import { parseJsonLoosely } from '../../../llm/llm-extractor.js';
import { askForJson, createChatClient, describeFailedCall, type LlmSettings } from '../../../llm/provider.js';
import { outcomeOf, ROLE_OUTPUTS } from '../outputs.js';
import { systemPrompt } from '../prompts.js';
import { allowedNext, ownerOf, retryTargets, type DeliveryState } from '../states.js';
import type { RoleWork } from './offline.js';

/** The model's answer before the role's own schema judges `output`. */
const Answer = z.object({
  action: z.enum(['advance', 'retry']).default('advance'),
  to_state: z.string().optional(),
  output: z.unknown().optional(),
  reasons: z.array(z.string().min(1)).optional(),
  reason: z.string().optional(),
});

export interface RoleDecision {
  action: 'advance' | 'retry';
  to_state: DeliveryState;
  output?: unknown;
  reasons?: string[];
  reason?: string;
  by: string;
}

function unavailable(error: unknown, describe: string): BatonError {
  return new BatonError('UPSTREAM_UNAVAILABLE', describeFailedCall(error, describe), { retryable: true, cause: error, details: { model: describe } });
}

/** Asks the model to do the role's work; an unreadable or rule-breaking answer is a retryable agent error. */
export async function llmDecision(settings: LlmSettings, work: RoleWork, signal: AbortSignal): Promise<RoleDecision> {
  const role = ownerOf(work.state);
  if (role === null) throw new AgentError(`${work.state} has no role to play`, { retryable: false });
  const chat = await createChatClient(settings);
  const request = {
    state: work.state,
    round: work.round,
    context: work.context,
    allowed_next_states: allowedNext(work.state),
    output_schema: z.toJSONSchema(ROLE_OUTPUTS[work.state], { io: 'input' }),
  };
  let content: string;
  try {
    content = await askForJson(chat, systemPrompt(role), request, signal);
  } catch (error) {
    throw unavailable(error, chat.describe);
  }
  const answer = Answer.safeParse(parseJsonLoosely(content));
  if (!answer.success) throw new AgentError(`${chat.describe} did not answer with a JSON object for ${work.state}: ${content.slice(0, 120)}`);
  const { action, to_state, reasons, reason } = answer.data;
  const by = `llm:${chat.model}`;
  if (action === 'retry') {
    const targets = retryTargets(work.state);
    // The previous role's state unless the model names another retry path the state has.
    const target = targets.find((t) => t === to_state) ?? targets[0];
    if (!target) throw new AgentError(`${chat.describe} asked for a retry, but ${work.state} has no retry path`);
    if (!reasons?.length) throw new AgentError(`${chat.describe} asked for a retry without reasons`);
    return { action, to_state: target, reasons, by };
  }
  if (to_state === 'ERROR') return { action, to_state, ...(reason ? { reason } : { reason: 'the model reported a critical failure' }), by };
  const output = ROLE_OUTPUTS[work.state].safeParse(answer.data.output);
  if (!output.success) {
    const listed = issuesOf(output.error)
      .map((i) => `${i.path || '(root)'} ${i.message}`)
      .join('; ');
    throw new AgentError(`${chat.describe} answered ${work.state} with an invalid output: ${listed}`, { details: { issues: issuesOf(output.error) } });
  }
  return { action, to_state: outcomeOf(work.state, output.data), output: output.data, by };
}
