// A scripted model for the LLM role tests: reads the role request the agent sent, answers as a role would.
import type { Behaviour, ReceivedRequest } from '../../llm/support/chat-completions-server.js';
import { OUTPUTS } from './support.js';

interface RoleRequest {
  state: string;
  round: number;
  context: { earlier: Record<string, unknown>; feedback: { reasons: string[] }[] };
  allowed_next_states: string[];
  output_schema: { required?: string[] };
}
export const roleRequestOf = (request: ReceivedRequest): RoleRequest => JSON.parse(request.body.messages?.at(-1)?.content ?? '{}') as RoleRequest;
export const advance = (output: unknown): Behaviour => ({ content: JSON.stringify({ action: 'advance', output }) });

/** A model that does every role's work well. */
export function competentModel(request: ReceivedRequest): Behaviour {
  switch (roleRequestOf(request).state) {
    case 'DISCOVERY':
      return advance(OUTPUTS.DISCOVERY);
    case 'PLANNING':
      return advance(OUTPUTS.PLANNING);
    case 'IMPLEMENTATION':
      return advance(OUTPUTS.IMPLEMENTATION);
    case 'TESTING':
      return advance(OUTPUTS.TESTING_PASSED);
    case 'VERIFICATION':
      return advance(OUTPUTS.VERIFICATION_APPROVED);
    default:
      return advance(OUTPUTS.DEPLOYMENT_OK);
  }
}
