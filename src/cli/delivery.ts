/**
 * `baton delivery demo`: one change carried through all five roles by the offline agents on the
 * embedded store (or DATABASE_URL), then its audit trail and the project's figures printed.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { Engine } from '../engine/index.js';
import { InvalidParametersError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';
import { DEFAULT_SQLITE_PATH, type RunStore } from '../store/index.js';
import { DeliveryService, ROLES, softwareDelivery, type AuditEntry, type DeliveryStatus } from '../workflows/software-delivery/index.js';

const DemoOptions = z.object({
  db: z.string().min(1),
  project: z.string().min(1),
  testFailures: z.coerce.number().int().min(0).max(20),
  reviewRejections: z.coerce.number().int().min(0).max(20),
  deploymentFailures: z.coerce.number().int().min(0).max(20),
});
export type DemoOptions = z.output<typeof DemoOptions>;

const CHANGE = {
  title: 'Export invoices as CSV',
  description: 'Customers can download their invoices as a CSV file. The file includes the tax column. Amounts are rounded to cents.',
};

const transferred = (entry: AuditEntry): string => {
  const value = entry.transferred;
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  if (value === null || typeof value !== 'object') return '';
  return `{${Object.keys(value).join(', ')}}`;
};

export function describeEntry(entry: AuditEntry): string {
  const who = entry.from_role && entry.to_role && entry.from_role !== entry.to_role ? ` ${entry.from_role} → ${entry.to_role}` : '';
  const what = transferred(entry);
  return `#${String(entry.seq).padStart(3)} ${entry.move.padEnd(8)} ${entry.from_state} → ${entry.to_state}${who} by ${entry.by}${what ? `, handed over ${what}` : ''}${entry.reason && entry.move !== 'forward' ? ` — ${entry.reason}` : ''}`;
}

/** Runs the demo on `store`; returns the final status. Deployment failures are rolled back to DEPLOYMENT, as a release manager would. */
export async function runDeliveryDemo(store: RunStore, options: Omit<DemoOptions, 'db'>, print: (line: string) => void): Promise<DeliveryStatus> {
  const { workflow, agents } = softwareDelivery();
  const engine = new Engine({ store, agents, workflows: [workflow] });
  await engine.start();
  try {
    const delivery = new DeliveryService(engine);
    print(`store: ${store.durability}`);
    const started = await delivery.start({
      project: options.project,
      change: CHANGE,
      automatic_roles: [...ROLES],
      agent_mode: 'offline',
      script: { test_failures: options.testFailures, review_rejections: options.reviewRejections, deployment_failures: options.deploymentFailures },
    });
    print(`change "${CHANGE.title}" for project ${options.project}: run ${started.run_id}, every role played by its offline agent`);
    let status = await delivery.settled(started.run_id);
    while (status.state === 'ERROR' && status.failed_state === 'DEPLOYMENT') {
      print(`deployment failed (${status.error?.message ?? 'no message'}); the release manager rolls back to DEPLOYMENT`);
      await delivery.rollback(status.run_id, { reason: 'redeploy after a failed health check' });
      status = await delivery.settled(status.run_id);
    }
    print('\naudit trail:');
    for (const entry of (await delivery.history(status.run_id)).trail) print(`  ${describeEntry(entry)}`);
    print(`\nfinal state: ${status.state} (${status.percent}%), completed: ${status.completed_states.join(', ')}`);
    const stats = await delivery.projectStats(options.project);
    const rate = stats.success_rate === null ? 'n/a' : `${Math.round(stats.success_rate * 100)}%`;
    const list = (counts: { state: string; count: number }[]) => counts.map((c) => `${c.state} ${c.count}`).join(', ') || 'none';
    print(
      `project ${options.project}: ${stats.runs} run(s), success rate ${rate}, retries by state: ${list(stats.retries_by_state)}, failures by state: ${list(stats.failures_by_state)}`,
    );
    return status;
  } finally {
    await engine.close();
  }
}

export function registerDeliveryCommands(program: Command): void {
  const delivery = program.command('delivery').description('software delivery: a change handed along five roles');
  delivery
    .command('demo')
    .description('carry one change through every role with the offline agents and print the audit trail (SQLite by default; DATABASE_URL for PostgreSQL)')
    .option('--db <path>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
    .option('--project <name>', 'the project the change belongs to', 'demo-shop')
    .option('--test-failures <n>', 'test rounds that fail before the tests pass', '1')
    .option('--review-rejections <n>', 'reviews that ask for changes before approving', '1')
    .option('--deployment-failures <n>', 'deployments that fail (each rolled back) before one succeeds', '0')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = DemoOptions.safeParse(raw);
      if (!parsed.success) throw new InvalidParametersError('the demo options are invalid', issuesOf(parsed.error));
      const store = await (await import('./modules.js')).openBatonStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: parsed.data.db, origin: 'cli' });
      try {
        const status = await runDeliveryDemo(store, parsed.data, (line) => console.log(line));
        if (status.state !== 'COMPLETE') process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
