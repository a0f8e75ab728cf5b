/** The build pipeline's agents so far: intake (reads the idea, judges the threshold) and the build architect. */
import { z } from 'zod';
import { defineAgent, type AgentDefinition } from '../../../engine/index.js';
import { AgentError } from '../../../errors/index.js';
import type { LlmSettings } from '../../../llm/provider.js';
import { ArchitectureDecision, buildable, Idea, IdeaId, IntakeVerdict, Stack, VIABILITY_THRESHOLD } from '../contracts.js';
import type { BuildData } from '../data/index.js';
import { architect } from './architect.js';

export const INTAKE_AGENT = 'build_intake';
export const ARCHITECT_AGENT = 'build_architect';

export const IntakeInput = z.object({ idea_id: IdeaId, threshold: z.number().default(VIABILITY_THRESHOLD) });
export const ArchitectInput = z.object({ idea: Idea, stack: Stack.optional(), mode: z.enum(['rules', 'model']).optional() });

export interface BuildAgentOptions {
  data: BuildData;
  /** The model the architect may ask; undefined: rules alone. */
  llm?: LlmSettings | undefined;
}

export function buildAgents({ data, llm }: BuildAgentOptions): AgentDefinition[] {
  const intake = defineAgent({
    name: INTAKE_AGENT,
    description: 'Reads the idea as it stands and judges it against the viability threshold',
    input: IntakeInput,
    output: IntakeVerdict,
    run: async ({ input }) => {
      const idea = await data.idea(input.idea_id);
      if (!idea) throw new AgentError(`idea "${input.idea_id}" does not exist`, { retryable: false, details: { idea_id: input.idea_id } });
      const accepted = buildable(idea.viability_score, input.threshold);
      const reason = accepted
        ? `viability score ${idea.viability_score} is above the threshold of ${input.threshold}`
        : `viability score ${idea.viability_score} is not above the threshold of ${input.threshold}`;
      return { idea, threshold: input.threshold, accepted, reason };
    },
  });

  const architectAgent = defineAgent({
    name: ARCHITECT_AGENT,
    description: 'Chooses stack, template, services, SKUs per environment, entities and auth, with a rationale (rules, or a model checked against them)',
    input: ArchitectInput,
    output: ArchitectureDecision,
    // A model's answer may take the client's timeout twice; the rules take microseconds.
    timeoutMs: 60_000,
    run: async ({ input, signal }) => {
      const useModel = input.mode === 'model' || (input.mode === undefined && llm !== undefined);
      if (useModel && !llm) {
        throw new AgentError('this build asks the model to architect, but no model is configured (OPENAI_API_KEY, OPENAI_BASE_URL or AZURE_OPENAI_*)', {
          retryable: false,
        });
      }
      return architect(input.idea, { llm: useModel ? llm : undefined, insisted: input.stack, signal });
    },
  });

  return [intake, architectAgent];
}
