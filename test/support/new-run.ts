// A run as a test hands it to the store: running at its first phase, unleased, created now; tests override what they check.
import { randomUUID } from 'node:crypto';
import type { NewRun } from '../../src/store/index.js';

export const newRun = (overrides: Partial<NewRun> = {}): NewRun => ({
  id: randomUUID(),
  workflow: 'wf',
  sessionId: null,
  idempotencyKey: null,
  parameters: {},
  state: 'running',
  phase: 'first',
  leaseOwner: null,
  leaseExpiresAt: null,
  createdAt: Date.now(),
  ...overrides,
});
