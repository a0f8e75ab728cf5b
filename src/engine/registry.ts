/**
 * The agents a process can run, by name. Workflows name their agents; the engine looks them up
 * here when a phase runs (and refuses a workflow whose agents are missing).
 */
import { NotFoundError } from '../errors/index.js';
import type { AgentDefinition } from './agent.js';

export class AgentRegistry {
  private readonly agents = new Map<string, AgentDefinition>();

  constructor(agents: readonly AgentDefinition[] = []) {
    for (const agent of agents) this.register(agent);
  }

  /** Adds an agent; one registered again under the same name replaces the earlier one. */
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
}
