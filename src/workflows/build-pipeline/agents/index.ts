/** The build pipeline's agents: intake (reads the idea, judges the threshold), the build architect, and one agent per later stage. */
import { z } from 'zod';
import { defineAgent, type AgentDefinition } from '../../../engine/index.js';
import { AgentError } from '../../../errors/index.js';
import { ArchitectureDecision, buildable, Idea, IdeaId, IntakeVerdict, Stack, VIABILITY_THRESHOLD } from '../contracts.js';
import type { BuildServices } from '../services.js';
import { architect } from './architect.js';
import { codegenAgent, gateAgent } from './code.js';
import { deployAgent } from './deploy.js';
import { handoffAgent } from './handoff.js';
import { infrastructureAgent, mergeAgent } from './merge.js';
import { repositoryAgent } from './repository.js';

export const INTAKE_AGENT = 'build_intake';
export const ARCHITECT_AGENT = 'build_architect';

export const IntakeInput = z.object({ idea_id: IdeaId, threshold: z.number().default(VIABILITY_THRESHOLD) });
export const ArchitectInput = z.object({ idea: Idea, stack: Stack.optional(), mode: z.enum(['rules', 'model']).optional() });

export function buildAgents(services: BuildServices): AgentDefinition[] {
  const { data, llm } = services;
  const intake = defineAgent({
    name: INTAKE_AGENT,
    description: 'Reads the idea as it stands and judges it against the viability threshold',
    input: IntakeInput,
    output: IntakeVerdict,
    run: async ({ input, now }) => {
      const idea = await data.idea(input.idea_id);
      if (!idea) throw new AgentError(`idea "${input.idea_id}" does not exist`, { retryable: false, details: { idea_id: input.idea_id } });
      const accepted = buildable(idea.viability_score, input.threshold);
      const reason = accepted
        ? `viability score ${idea.viability_score} is above the threshold of ${input.threshold}`
        : `viability score ${idea.viability_score} is not above the threshold of ${input.threshold}`;
      return { idea, started_at: new Date(now()).toISOString(), threshold: input.threshold, accepted, reason };
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

  return [
    intake,
    architectAgent,
    repositoryAgent(services),
    codegenAgent(),
    gateAgent(services),
    mergeAgent(),
    infrastructureAgent(services),
    deployAgent(services),
    handoffAgent(services),
  ] as AgentDefinition[];
}
