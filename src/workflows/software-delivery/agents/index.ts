/**
 * The delivery workflow's agents: one per role (an LLM when one is configured and the run does not
 * ask for offline work, else the deterministic stand-in), the handoff packer and the ERROR recorder.
 */
import { z } from 'zod';
import { defineAgent, type AgentDefinition } from '../../../engine/index.js';
import { AgentError } from '../../../errors/index.js';
import { issuesOf } from '../../../errors/zod-issues.js';
import type { LlmSettings } from '../../../llm/provider.js';
import type { RoleContext } from '../context.js';
import { OfflineScript } from '../parameters.js';
import { outcomeOf, submissionFor, testGate, type RoleOutput, type Submission } from '../outputs.js';
import { earlierOutput } from '../checked.js';
import { DeliveryState, Role, ROLE_STATES, type RoleState } from '../states.js';
import { llmDecision, type RoleDecision } from './llm.js';
import { offlineOutput } from './offline.js';

export const ROLE_AGENTS: Readonly<Record<Role, string>> = {
  Q_ASSISTANT: 'delivery_q_assistant',
  CODE_WRITER: 'delivery_code_writer',
  TEST_AUDITOR: 'delivery_test_auditor',
  VERIFICATION_OVERSEER: 'delivery_verification_overseer',
  RELEASE_MANAGER: 'delivery_release_manager',
};
export const HANDOFF_AGENT = 'delivery_handoff';
export const ERROR_AGENT = 'delivery_error';

export const RoleWorkInput = z.object({
  state: z.enum(ROLE_STATES),
  round: z.number().int().min(1),
  mode: z.enum(['offline', 'llm']).optional(),
  script: OfflineScript,
  context: z.custom<RoleContext>((value) => typeof value === 'object' && value !== null),
});

/** A role agent's output is a submission like a person's, checked by the same schema. */
const AgentSubmission = z.looseObject({ action: z.enum(['advance', 'retry']), to_state: DeliveryState, at: z.number(), by: z.string().optional() });

export interface DeliveryAgentOptions {
  /** The model for roles played by an LLM; undefined: every role agent works offline. */
  llm?: LlmSettings | undefined;
  /** The clock that stamps submissions (default Date.now). */
  now?: () => number;
}

function roleAgent(role: Role, options: DeliveryAgentOptions): AgentDefinition {
  const now = options.now ?? Date.now;
  return defineAgent({
    name: ROLE_AGENTS[role],
    description: `${role}: does the role's work (see prompts/${role}.md) and hands it on`,
    input: RoleWorkInput,
    output: AgentSubmission,
    // An LLM answer may take the client's 10 s timeout twice; offline work takes microseconds.
    timeoutMs: 60_000,
    retry: { maxAttempts: 3, initialDelayMs: 200 },
    run: async ({ input, signal }) => {
      const useLlm = input.mode === 'llm' || (input.mode === undefined && options.llm !== undefined);
      if (useLlm && !options.llm) {
        throw new AgentError('this run asks for LLM role agents, but no model is configured (OPENAI_API_KEY, OPENAI_BASE_URL or AZURE_OPENAI_*)', {
          retryable: false,
        });
      }
      const decision: RoleDecision = useLlm && options.llm ? await llmDecision(options.llm, input, signal) : offline(input);
      const checked = submissionFor(input.state).safeParse({ ...decision, at: now() });
      if (!checked.success) {
        throw new AgentError(`the ${role} agent's ${input.state} submission is invalid`, { retryable: useLlm, details: { issues: issuesOf(checked.error) } });
      }
      // The testing gate holds for agents as for people: a report accounts for every test case handed over.
      const submission = checked.data;
      if (input.state === 'TESTING' && submission.action === 'advance' && submission.output !== undefined) {
        const handedOver = earlierOutput('IMPLEMENTATION', input.context.earlier.IMPLEMENTATION)?.test_cases ?? [];
        const finding = testGate(handedOver, submission.output as RoleOutput<'TESTING'>);
        if (finding) {
          throw new AgentError(
            `the ${role} agent's test report does not pass the testing gate: ${finding.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
            {
              retryable: useLlm,
              details: { issues: finding.issues, missing_tests: finding.missing },
            },
          );
        }
      }
      return submission;
    },
  });
}

function offline(input: z.output<typeof RoleWorkInput>): RoleDecision {
  const output = offlineOutput(input);
  return { action: 'advance', to_state: outcomeOf(input.state, output), output, by: 'offline' };
}

export const HandoffInput = z.object({
  from_state: z.enum(ROLE_STATES),
  to_state: z.enum(ROLE_STATES),
  from_role: Role,
  to_role: Role,
  package: z.custom<RoleContext>((value) => typeof value === 'object' && value !== null),
});
export const HandoffRecord = z.object({
  from_role: Role,
  to_role: Role,
  from_state: z.enum(ROLE_STATES),
  to_state: z.enum(ROLE_STATES),
  transferred: z.array(z.string()),
  feedback: z.number().int(),
  summary: z.string(),
});

/** Packs what the next role needs; its input (the package) is the engine's handoff record, its output says what went across. */
const handoffAgent = defineAgent({
  name: HANDOFF_AGENT,
  description: "Builds the next role's context from every earlier output and records the handoff",
  input: HandoffInput,
  output: HandoffRecord,
  run: ({ input }) => {
    const transferred = Object.keys(input.package.earlier);
    const missing = ROLE_STATES.filter(
      (s: RoleState) => s !== input.to_state && ROLE_STATES.indexOf(s) < ROLE_STATES.indexOf(input.to_state) && !transferred.includes(s),
    );
    if (missing.length > 0) throw new AgentError(`cannot hand ${input.to_state} over: no output yet from ${missing.join(', ')}`, { retryable: false });
    return {
      from_role: input.from_role,
      to_role: input.to_role,
      from_state: input.from_state,
      to_state: input.to_state,
      transferred,
      feedback: input.package.feedback.length,
      summary: `${input.from_role} hands ${transferred.join(', ')} to ${input.to_role} for ${input.to_state}`,
    };
  },
});

export const ErrorRecord = z.object({ failed_state: z.enum(ROLE_STATES), role: Role.nullable(), reason: z.string() });

/** Records which state failed and why; the ERROR phase then ends the run as failed, to be rolled back by a person. */
const errorAgent = defineAgent({
  name: ERROR_AGENT,
  description: 'Records a critical failure before the run stops in ERROR',
  input: ErrorRecord,
  output: ErrorRecord,
  run: ({ input }) => input,
});

export function deliveryAgents(options: DeliveryAgentOptions = {}): AgentDefinition[] {
  return [...Role.options.map((role) => roleAgent(role, options)), handoffAgent, errorAgent];
}

export type { Submission };
