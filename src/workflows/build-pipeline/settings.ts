/**
 * The build pipeline's settings, read once from the environment the module is given (the CLI passes process.env,
 * tests their own), checked by zod: where builds live, how long the gate may run, the local target's ports and
 * watch window, the webhook the team is told on, and the secret the apps' API keys derive from.
 */
import { z } from 'zod';
import { InvalidParametersError } from '../../errors/index.js';
import { issuesOf } from '../../errors/zod-issues.js';
import { DEFAULT_BUILD_DIR } from './workspace.js';

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback);

export const BuildSettingsSchema = z.object({
  BATON_BUILD_DIR: z.string().min(1).default(DEFAULT_BUILD_DIR),
  /** The quality gate's time limit per command (type check, tests), ms. */
  BATON_BUILD_GATE_TIMEOUT_MS: int(1_000, 3_600_000, 300_000),
  /** The first port the local target gives an environment's router (each app and environment keeps the port it got). */
  BATON_LOCAL_TARGET_PORT: int(1_024, 65_000, 18_700),
  /** How long the local target watches a release after the switch before calling it live, ms. */
  BATON_DEPLOY_WATCH_MS: int(0, 600_000, 3_000),
  /** How many times the local target polls a new slot's /health before the release is rolled back. */
  BATON_DEPLOY_HEALTH_TRIES: int(1, 1_000, 30),
  /** The pause between those polls (and between the watch's), ms. */
  BATON_DEPLOY_HEALTH_INTERVAL_MS: int(10, 60_000, 500),
  /** Where the handoff's notification is posted (none: recorded in the outbox, not sent). */
  BATON_BUILD_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Keys the generated apps' API keys derive from (default: a random secret kept in the build directory). */
  BATON_BUILD_SECRET: z.string().min(16).optional(),
});
export type BuildSettings = z.output<typeof BuildSettingsSchema>;

/** The settings from an environment; a bad value is refused naming the variable. */
export function buildSettings(env: Readonly<Record<string, string | undefined>> = {}): BuildSettings {
  const picked = Object.fromEntries(Object.keys(BuildSettingsSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = BuildSettingsSchema.safeParse(picked);
  if (!parsed.success) throw new InvalidParametersError('the build pipeline settings are invalid', issuesOf(parsed.error));
  return parsed.data;
}
