/**
 * The cluster test's and bench's workflow: `steps` agent steps that each take `ms` (aborting when
 * the signal fires), logging each start, end and abort to BATON_CLUSTER_LOG with the node's id, so
 * a test can see which node drove what and when an agent stopped.
 */
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { defineAgent, defineWorkflow } from '../../src/engine/index.js';
import type { WorkflowModule } from '../../src/server/modules.js';

export const PHASES = ['s1', 's2', 's3', 's4', 's5'] as const;

const parameters = z.object({ ms: z.number().int().min(0).max(60_000), steps: z.number().int().min(1).max(PHASES.length).default(PHASES.length) });

export const AgentLogLine = z.object({ t: z.number(), what: z.enum(['start', 'done', 'abort']), run: z.string(), step: z.string(), node: z.string() });
export type AgentLogLine = z.output<typeof AgentLogLine>;

function log(what: AgentLogLine['what'], run: string, step: string): void {
  const file = process.env.BATON_CLUSTER_LOG;
  if (file) appendFileSync(file, JSON.stringify({ t: Date.now(), what, run, step, node: process.env.BATON_NODE_ID ?? '?' }) + '\n');
}

const sleeper = defineAgent({
  name: 'cluster-sleeper',
  description: 'Sleeps ms, then answers; stops when its signal fires.',
  input: z.object({ run: z.string(), step: z.string(), ms: z.number() }),
  output: z.object({ step: z.string() }),
  timeoutMs: 120_000,
  run: async ({ input, signal }) => {
    log('start', input.run, input.step);
    if (input.ms > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, input.ms);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            log('abort', input.run, input.step);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          },
          { once: true },
        );
      });
    }
    log('done', input.run, input.step);
    return { step: input.step };
  },
});

export const clusterWorkflow = defineWorkflow({
  name: 'cluster-steps',
  description: 'steps × an agent that sleeps ms',
  parameters,
  phases: PHASES.map((name, i) => ({
    name,
    agent: 'cluster-sleeper',
    skip: (p: z.output<typeof parameters>) => (i >= p.steps ? 'fewer steps asked' : undefined),
    input: ({ runId, parameters: p }: { runId: string; parameters: z.output<typeof parameters> }) => ({ run: runId, step: name, ms: p.ms }),
  })),
});

export const clusterModule: WorkflowModule = {
  name: 'cluster-steps',
  open: () => ({ name: 'cluster-steps', workflows: [clusterWorkflow], agents: [sleeper] }),
};
