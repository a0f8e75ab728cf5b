/**
 * The workflow module: the one object a workflow folder exports so that a process (the CLI, a test)
 * can run it. The engine sees its definitions and agents, the store its tables, the HTTP core its
 * routes and dashboard views; the core itself names no workflow.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AgentDefinition, Engine, WorkflowDefinition } from '../engine/index.js';
import type { LlmSettings } from '../llm/index.js';
import type { DatabaseHost, StoreModule } from '../store/index.js';
import type { ServerConfig } from './config.js';

/** What the process gives every module when it opens it. */
export interface ModuleOptions {
  /** The language model for agents that word their output with one (null: none, written from the data). */
  llm: LlmSettings | null;
  /** The settings a module reads for itself (e.g. season planning's approvers); the CLI passes process.env, tests their own. Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What the dashboard needs to show a workflow's runs its own way (served with GET /api/workflows). */
export interface WorkflowView {
  /** The workflow definition's name. */
  workflow: string;
  /** The dashboard's view for its runs (e.g. `season-planning`, `software-delivery`; `generic` for the event log alone). */
  view: string;
  title: string;
}

/** A module bound to a database: what the engine registers and the server serves. */
export interface OpenedModule {
  readonly name: string;
  readonly workflows: readonly WorkflowDefinition[];
  readonly agents: readonly AgentDefinition[];
  /** Its HTTP routes (a Fastify plugin), given the engine and the server's settings. */
  readonly routes?: (engine: Engine, config: ServerConfig) => FastifyPluginAsyncZod;
  readonly views?: readonly WorkflowView[];
}

export interface WorkflowModule {
  readonly name: string;
  /** Its tables: migrations (run after the engine's) and the tables holding a run's rows (pruned with the run). */
  readonly tables?: StoreModule;
  /** Builds its agents on its own data access (made from the database handle, never the run store). */
  open(host: DatabaseHost, options: ModuleOptions): OpenedModule;
}

/** The store modules of a list of workflow modules, in order: what `openStore` migrates. */
export const storeModules = (modules: readonly WorkflowModule[]): StoreModule[] => modules.flatMap((m) => (m.tables ? [m.tables] : []));

/** Opens every module and gathers what the engine registers. */
export function openModules(modules: readonly WorkflowModule[], host: DatabaseHost, options: ModuleOptions) {
  const opened = modules.map((m) => m.open(host, options));
  return {
    modules: opened,
    workflows: opened.flatMap((m) => m.workflows),
    agents: opened.flatMap((m) => m.agents),
  };
}
