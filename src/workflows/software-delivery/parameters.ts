/** A delivery run's parameters: the project, the change, which roles agents play, and the offline agents' scripted setbacks. */
import { z } from 'zod';
import { Role } from './states.js';

/** Project names go into URLs and session ids, so they stay plain. */
export const ProjectName = z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'letters, digits, ".", "_" or "-" (up to 100, starting with a letter or digit)');

export const UserId = z.string().trim().min(1).max(200);
export const BuildId = z.string().trim().min(1).max(200);

export const ChangeRequest = z.strictObject({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(10_000),
});

/** For the offline agents (tests, demo): how many rounds of each role go wrong before it goes right. */
export const OfflineScript = z.strictObject({
  test_failures: z.number().int().min(0).max(20).default(0),
  review_rejections: z.number().int().min(0).max(20).default(0),
  deployment_failures: z.number().int().min(0).max(20).default(0),
});

export const DeliveryParameters = z.strictObject({
  project: ProjectName,
  change: ChangeRequest,
  /** Roles an agent plays in this run; the others submit through `advance`. */
  automatic_roles: z
    .array(Role)
    .default([])
    .refine((roles) => new Set(roles).size === roles.length, 'lists a role twice'),
  /** How agents work: `llm` needs a configured model; unset means the model when one is configured, else offline. */
  agent_mode: z.enum(['offline', 'llm']).optional(),
  script: OfflineScript.default({ test_failures: 0, review_rejections: 0, deployment_failures: 0 }),
  /** Who started the change: the starting actor's id (or, from a trusted client, the user it named). Absent on runs from before actors. */
  user_id: UserId.optional(),
  /** The build the change belongs to, when the client named one. */
  build_id: BuildId.optional(),
});
export type DeliveryParameters = z.output<typeof DeliveryParameters>;

/** Every run of a project shares one session, so `/ws/orchestrator/delivery:<project>` streams them all. */
export const sessionOf = (project: string): string => `delivery:${project}`;
