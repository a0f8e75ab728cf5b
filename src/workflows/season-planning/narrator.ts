/**
 * Who words each decision's explanation. Offline, the agents' own sentences written from the
 * numbers; with a language model configured, the model rewrites them for a planner from the same
 * numbers — and if it cannot (error, timeout, empty answer) the offline sentence stands, so a
 * model outage never fails a run.
 */
import type { AgentDefinition } from '../../engine/index.js';
import { createChatClient, type LlmSettings } from '../../llm/provider.js';

export interface Explanation {
  text: string;
  by: 'numbers' | 'llm';
}

export interface Narrator {
  explain(decision: string, facts: Record<string, unknown>, fromNumbers: string): Promise<Explanation>;
}

export const numbersNarrator: Narrator = {
  explain: (_decision, _facts, fromNumbers) => Promise.resolve({ text: fromNumbers, by: 'numbers' }),
};

const SYSTEM_PROMPT = [
  'You explain retail season-planning decisions to a merchandise planner.',
  'Write at most two plain sentences. Use only the numbers you are given; never invent or change a number.',
  'Say what was decided and why. No preamble, no lists, no markdown.',
].join(' ');

/** Explanations are short: a few seconds and no retry, then the offline sentence. */
const EXPLANATION_LIMITS = { timeoutMs: 8_000, maxRetries: 0 };

export function languageModelNarrator(settings: LlmSettings): Narrator {
  // One client for the narrator's life, made at its first explanation.
  let client: ReturnType<typeof createChatClient> | undefined;
  return {
    async explain(decision, facts, fromNumbers) {
      try {
        const chat = await (client ??= createChatClient({ ...settings, ...EXPLANATION_LIMITS }));
        const completion = await chat.client.chat.completions.create({
          model: chat.model,
          temperature: 0.2,
          messages: [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: JSON.stringify({ decision, facts, draft: fromNumbers }) },
          ],
        });
        const text = completion.choices[0]?.message.content?.trim();
        return text ? { text, by: 'llm' } : { text: fromNumbers, by: 'numbers' };
      } catch {
        return { text: fromNumbers, by: 'numbers' };
      }
    },
  };
}

export const narratorFor = (settings: LlmSettings | null | undefined): Narrator => (settings ? languageModelNarrator(settings) : numbersNarrator);

/** The facts a model is shown: the output without its long lists (per-store rows, weekly curves). */
function factsOf(output: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(output).filter(([key, value]) => key !== 'explanation' && !(Array.isArray(value) && value.length > 12)));
}

/**
 * The agent with its explanation worded by the narrator. Outputs that decide nothing (a pricing
 * check before the checkpoint, a replenishment week with nothing to do) keep their sentence.
 */
export function narrated<Input, Output>(agent: AgentDefinition<Input, Output>, narrator: Narrator, decision: string): AgentDefinition<Input, Output> {
  if (narrator === numbersNarrator) return agent;
  return {
    ...agent,
    run: async (context) => {
      const output = (await agent.run(context)) as Record<string, unknown>;
      if (typeof output.explanation !== 'string' || output.due === false || output.acted === false) return output;
      const told = await narrator.explain(decision, factsOf(output), output.explanation);
      return { ...output, explanation: told.text, explained_by: told.by };
    },
  };
}
