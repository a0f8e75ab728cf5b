/** `baton demo`: runs the editorial workflow on the embedded store and narrates its events live. */
import { Engine } from '../engine/index.js';
import type { EventRecord, RunStore } from '../store/index.js';
import { editorialAgents, editorialWorkflow } from '../workflows/engine-demo/index.js';

function describe(event: EventRecord): string {
  const p = event.payload;
  switch (event.type) {
    case 'run_created':
      return `run created (${String(p.workflow)})`;
    case 'agent_status':
      return `${String(p.agent_name)} ${String(p.status)} (phase ${String(p.phase)}, attempt ${String(p.attempt)})`;
    case 'progress':
      return `  ${String(p.agent_name)} ${String(p.progress)}% ${String(p.message)}`;
    case 'complete':
      return `${String(p.agent_name)} done: ${JSON.stringify(p.result)}`;
    case 'phase_transition':
      return `→ back to ${String(p.to_phase)}: ${String(p.reason)}`;
    case 'phase_skipped':
      return `phase ${String(p.phase)} skipped: ${String(p.reason)}`;
    case 'approval_required':
      return `approval required (${String(p.approval_id).slice(0, 8)}…) for phase ${String(p.phase)}`;
    case 'approval_resolved':
      return `approval resolved: ${JSON.stringify(p.resolution)}`;
    case 'run_state':
      return `run ${String(p.from)} → ${String(p.to)}`;
    case 'workflow_complete':
      return `workflow complete: ${String(p.state)}`;
    default:
      return `${event.type} ${JSON.stringify(p)}`;
  }
}

export async function runDemo(store: RunStore, print: (line: string) => void): Promise<void> {
  const engine = new Engine({ store, agents: editorialAgents, workflows: [editorialWorkflow] });
  await engine.start();
  try {
    print(`store: ${store.durability}`);
    const run = await engine.startRun('editorial', { topic: 'durable workflows', languages: [] });
    print(`started run ${run.id}`);
    const subscription = await engine.follow(run.id, 0, (event) => print(`  #${String(event.seq).padStart(2)} ${describe(event)}`));
    const waiting = await engine.settled(run.id);
    if (waiting.state === 'waiting' && waiting.waitingFor) {
      print(`the editor accepts the draft (approval ${waiting.waitingFor.id.slice(0, 8)}…)`);
      await engine.resolveWait(run.id, waiting.waitingFor.id, { action: 'accept', comment: 'looks good' });
    }
    const done = await engine.settled(run.id, ['completed', 'failed', 'rejected', 'cancelled']);
    subscription.unsubscribe();
    print(`\nfinal state: ${done.state} (${done.percent}%), result ${JSON.stringify(done.result)}`);
    print('handoffs:');
    for (const h of await engine.history(run.id)) print(`  ${h.fromAgent ?? '(start)'} → ${h.toAgent} [${h.stepKey}]`);
    const stats = await engine.stats('editorial');
    print(`editorial runs in this database: ${stats.total}, success rate ${((stats.successRate ?? 0) * 100).toFixed(0)}%`);
  } finally {
    await engine.close();
  }
}
