/** expect.poll with room for a loaded CI machine (vitest's default gives up after 1 s). */
import { expect } from 'vitest';

export const eventually = <T>(probe: () => Promise<T> | T, timeout = 10_000) => expect.poll(probe, { timeout, interval: 50 });
