// Following a run whose last events commit just as the follower's catch-up read of the stored events finishes.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import type { EventRecord } from '../../../src/store/index.js';
import { describeEachStore } from '../../support/stores.js';
import { echo, pause, useHarness } from './harness.js';

describeEachStore('engine runs: following across the catch-up boundary', (kind) => {
  const h = useHarness(kind);

  const workflow = defineWorkflow({
    name: 'decide',
    parameters: z.object({}),
    phases: [
      { name: 'propose', agent: 'proposer' },
      { name: 'approve', wait: { kind: 'approval' } },
    ],
  });

  // Regression: the follower's catch-up flag used to be cleared a few microtasks after its last check, so an
  // event committed in that gap waited for a later one (never, if it was the run's last). Reproducible on SQLite only.
  const reproducible = kind.name === 'sqlite' ? it : it.skip;
  reproducible('delivers the final events of a run to a follower that starts just before they commit', async () => {
    const engine = h.engine({ agents: [echo('proposer')], workflows: [workflow] });
    const missedAt: number[] = [];
    // Start following at different moments relative to the commit of the rejection: every follower must get every event.
    for (let delay = 0; delay < 24; delay++) {
      const { id } = await engine.startRun('decide', {});
      const waiting = await engine.settled(id);
      const received: EventRecord[] = [];
      const resolving = engine.resolveWait(id, waiting.waitingFor!.id, { action: 'reject' });
      for (let i = 0; i < delay; i++) await Promise.resolve();
      const subscription = await engine.follow(id, 0, (event) => received.push(event));
      await resolving;
      const stored = await engine.readEvents(id, 0);
      expect(stored.at(-1)!.type).toBe('workflow_complete');
      // Give the follower ample time to catch up with what is already stored.
      await pause(30);
      subscription.unsubscribe();
      if (received.length !== stored.length) missedAt.push(delay);
    }
    expect(missedAt).toEqual([]);
  });
});
