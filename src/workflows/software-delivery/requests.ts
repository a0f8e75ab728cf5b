/** What callers send to a delivery run (HTTP bodies and the CLI alike), checked by zod at the boundary. */
import { z } from 'zod';
import { BuildId, ChangeRequest, OfflineScript, ProjectName, UserId } from './parameters.js';
import { DeliveryState, Role, ROLES } from './states.js';

/**
 * A role by name. Read as a string first so that a missing role is reported as missing (400,
 * an invalid_type issue with nothing at its path) rather than as a wrong choice (422), as the one classifier (errors/zod-issues.ts) decides.
 */
const RoleField = (description: string) =>
  z
    .string()
    .describe(`${description} (${ROLES.join(', ')})`)
    .pipe(Role);

export const StartDelivery = z.strictObject({
  project: ProjectName,
  change: ChangeRequest,
  automatic_roles: z.array(Role).optional().describe('roles an agent plays in this run (default none: every role submits through advance)'),
  agent_mode: z.enum(['offline', 'llm']).optional().describe('how agents work; default: the model when one is configured, else offline'),
  script: OfflineScript.partial()
    .optional()
    .describe('offline agents only: how many test rounds fail, reviews reject and deployments fail before they succeed'),
  idempotency_key: z.string().min(1).max(200).optional(),
  build_id: BuildId.optional().describe('the build the change belongs to (kept with the run, answered as build_id)'),
  user_id: UserId.optional().describe(
    'who starts the change; default and check: the authenticated actor (a caller holding every role, as in single-user mode, may name another)',
  ),
});
export type StartDelivery = z.infer<typeof StartDelivery>;

/** `POST /api/workflows/{project_id}/start`: the project is the path's; a body may repeat it, never name another. */
export const StartWorkflow = StartDelivery.extend({
  project: ProjectName.optional().describe("the path's project, if repeated here; another is refused (422)"),
});
export type StartWorkflow = z.infer<typeof StartWorkflow>;

export const AdvanceRequest = z.strictObject({
  role: RoleField(
    'the role submitting; it must own the current state and the caller must hold it (default: the role the current state needs, when the caller holds it)',
  ).optional(),
  to_state: DeliveryState.optional().describe(
    'where the work goes; default: where the output leads (forward, back to IMPLEMENTATION on failed tests or requested changes, ERROR on a failed deployment)',
  ),
  output: z.unknown().optional().describe("the role's output for the current state (required unless to_state is ERROR)"),
  reason: z.string().max(10_000).optional().describe('why, for a move to ERROR'),
  from_state: DeliveryState.optional().describe(
    'the state this submission answers; when the run stands elsewhere (e.g. a repeated request already moved it on) the answer is 409',
  ),
  wait_id: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("the wait this submission answers (the status's waiting_for.wait_id); 409 when the run no longer waits for it"),
});
export type AdvanceRequest = z.infer<typeof AdvanceRequest>;

export const RetryRequest = z.strictObject({
  role: RoleField(
    'the role sending the work back; it must own the current state and the caller must hold it (default: the role the current state needs, when the caller holds it)',
  ).optional(),
  reasons: z.array(z.string().trim().min(1).max(10_000)).min(1).max(200),
  to_state: DeliveryState.optional().describe(
    "where the work goes back to; default: the previous role's state (the status's expected_next.retry_to lists the choices)",
  ),
  from_state: DeliveryState.optional().describe(
    'the state this submission answers; when the run stands elsewhere (e.g. a repeated request already moved it on) the answer is 409',
  ),
  wait_id: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("the wait this submission answers (the status's waiting_for.wait_id); 409 when the run no longer waits for it"),
});
export type RetryRequest = z.infer<typeof RetryRequest>;

export const RollbackRequest = z.strictObject({
  to_state: DeliveryState.optional().describe('default: the previous state (for ERROR: the state that failed)'),
  reason: z.string().max(2000).optional(),
});
export type RollbackRequest = z.infer<typeof RollbackRequest>;
