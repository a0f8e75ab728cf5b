// Covers AgentRegistry: agents by name, replaced on a second registration, refused when unknown.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, type AgentDefinition } from '../../../src/engine/agent.js';
import { AgentRegistry } from '../../../src/engine/registry.js';
import { NotFoundError } from '../../../src/errors/index.js';

const echo = (name: string): AgentDefinition => defineAgent({ name, input: z.unknown(), output: z.unknown(), run: ({ input }) => input });

describe('AgentRegistry', () => {
  it('registers agents given to the constructor and by register(), in order', () => {
    const registry = new AgentRegistry([echo('a'), echo('b')]);
    expect(registry.register(echo('c'))).toBe(registry);
    expect(registry.names()).toEqual(['a', 'b', 'c']);
    expect(registry.has('b')).toBe(true);
    expect(registry.has('z')).toBe(false);
  });

  it('replaces an agent registered again under the same name', () => {
    const second = echo('a');
    const registry = new AgentRegistry([echo('a')]).register(second);
    expect(registry.names()).toEqual(['a']);
    expect(registry.get('a')).toBe(second);
  });

  it('refuses an unknown agent with NOT_FOUND, suggesting the registered agents', () => {
    const registry = new AgentRegistry([echo('planner'), echo('buyer')]);
    const error: unknown = (() => {
      try {
        registry.get('ghost');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('NOT_FOUND');
    expect((error as NotFoundError).httpStatus).toBe(404);
    expect((error as NotFoundError).message).toBe('agent "ghost" does not exist');
    expect((error as NotFoundError).details).toEqual({ agent: 'ghost' });
    expect((error as NotFoundError).suggestions).toEqual(['registered agents: planner, buyer']);
  });

  it('says "(none)" when no agent is registered', () => {
    expect(() => new AgentRegistry().get('x')).toThrow(expect.objectContaining({ suggestions: ['registered agents: (none)'] }) as Error);
  });
});
