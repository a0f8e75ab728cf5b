/**
 * The seeds' AgentHandoffManager: a registry of agents by name, one-off calls under a timeout,
 * and chains where each agent's result becomes part of the next one's context. Every attempt is
 * logged and readable. Workflows use the same registry; this class also works on its own.
 */
import { NotFoundError } from '../errors/index.js';
import type { AgentDefinition } from './agent.js';
import { invokeAgent, type AttemptOutcome, type InvokeOptions } from './invoke.js';

export interface AttemptLogEntry {
  agent: string;
  attempt: number;
  startedAt: number;
  durationMs: number;
  status: AttemptOutcome['status'];
  error: { error_type: string; message: string } | null;
}

/** What each agent of a chain receives: the caller's context, every earlier result, and the last one. */
export interface ChainContext {
  [key: string]: unknown;
  previous?: { agent: string; output: unknown };
  results: Record<string, unknown>;
}

export class AgentHandoffManager {
  private readonly agents = new Map<string, AgentDefinition>();
  private readonly log: AttemptLogEntry[] = [];

  constructor(agents: readonly AgentDefinition[] = []) {
    for (const agent of agents) this.register(agent);
  }

  register(agent: AgentDefinition): this {
    this.agents.set(agent.name, agent);
    return this;
  }

  has(name: string): boolean {
    return this.agents.has(name);
  }

  names(): string[] {
    return [...this.agents.keys()];
  }

  get(name: string): AgentDefinition {
    const agent = this.agents.get(name);
    if (!agent) throw new NotFoundError('agent', name, [`registered agents: ${this.names().join(', ') || '(none)'}`]);
    return agent;
  }

  /** Calls one agent (with its retries); `timeoutMs` overrides the agent's own per attempt. */
  async call(name: string, input: unknown, options: InvokeOptions = {}): Promise<unknown> {
    return invokeAgent(this.get(name), input, {
      ...options,
      onAttempt: async (outcome, willRetry) => {
        this.log.push({
          ...outcome,
          error: outcome.error && { error_type: outcome.error.code, message: outcome.error.message },
        });
        await options.onAttempt?.(outcome, willRetry);
      },
    });
  }

  /** Runs the agents in order; agent N+1 sees agent N's output as `previous` and all outputs in `results`. */
  async runChain(names: readonly string[], context: Record<string, unknown> = {}, options: InvokeOptions = {}): Promise<ChainContext> {
    for (const name of names) this.get(name);
    let chain: ChainContext = { ...context, results: {} };
    for (const name of names) {
      const output = await this.call(name, chain, options);
      chain = { ...chain, previous: { agent: name, output }, results: { ...chain.results, [name]: output } };
    }
    return chain;
  }

  /** The attempts made so far, oldest first (a copy). */
  attempts(agent?: string): AttemptLogEntry[] {
    return this.log.filter((entry) => agent === undefined || entry.agent === agent);
  }
}
