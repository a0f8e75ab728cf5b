// Where WAL checkpoints may run in a worker: only where the worker can use the main thread's own SQLite library safely.
import { describe, expect, it } from 'vitest';
import { canCheckpointAside } from '../../src/store/sqlite/checkpointer.js';

describe('the SQLite checkpointer', () => {
  it('runs aside on Node 20 and leaves checkpoints to the committing connection on Node 22 and later', () => {
    expect(canCheckpointAside('20.19.0')).toBe(true);
    expect(canCheckpointAside('22.13.0')).toBe(false);
    expect(canCheckpointAside('24.11.1')).toBe(false);
  });
});
