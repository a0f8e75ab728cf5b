// The bytes a flush round writes: each client gets exactly its own frames joined, even when the
// joined buffer of the client before is reused.
import { describe, expect, it } from 'vitest';
import { sharedJoiner, type Pending } from '../../../src/server/stream/client.js';
import { textFrame } from '../../../src/server/stream/frame.js';

const frame = (text: string): Buffer => textFrame(Buffer.from(text));
const pending = (...frames: Buffer[]): Pending[] => frames.map((f, i) => ({ frame: f, runId: 'r', seq: i + 1 }));

describe('a flush round joining frames', () => {
  it('hands a single frame over as it is', () => {
    const only = frame('{"a":1}');
    expect(sharedJoiner()(pending(only))).toBe(only);
  });

  it('joins several frames in order and reuses the bytes for a client waiting for the same frames', () => {
    const join = sharedJoiner();
    const [a, b] = [frame('{"a":1}'), frame('{"b":2}')];
    const first = join(pending(a, b));
    expect(first).toEqual(Buffer.concat([a, b]));
    expect(join(pending(a, b))).toBe(first);
  });

  it('joins afresh for a client waiting for other frames, even as many of them', () => {
    const join = sharedJoiner();
    const [a, b, c, d] = ['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}'].map(frame) as [Buffer, Buffer, Buffer, Buffer];
    join(pending(a, b));
    expect(join(pending(c, d))).toEqual(Buffer.concat([c, d]));
    expect(join(pending(a, c))).toEqual(Buffer.concat([a, c]));
    expect(join(pending(a, b))).toEqual(Buffer.concat([a, b]));
  });
});
