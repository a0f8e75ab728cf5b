/**
 * The build pipeline as a workflow: an idea whose viability score is above the threshold becomes an architecture
 * specification. Stages so far:
 *   intake        reads the idea as it stands; 85 or less ends the run rejected with the score and the threshold
 *   architecture  the build architect: stack, template, services, SKUs per environment, entities, auth, rationale
 * What comes next, each a phase of its own once it does real work (issue 18): repository (a real git repository
 * with a protected origin), code generation, quality gate (the app's own tests and coverage), merge,
 * infrastructure as code (ARM/Bicep and the monthly cost per environment), approvals (prod: Lead Builder and
 * Champion), provision and deploy (the local target's router and blue/green slots), documentation and handoff.
 */
import { defineWorkflow, type AgentDefinition, type WorkflowDefinition } from '../../engine/index.js';
import type { LlmSettings } from '../../llm/provider.js';
import { ARCHITECT_AGENT, buildAgents, INTAKE_AGENT } from './agents/index.js';
import { BuildParameters, IntakeVerdict, VIABILITY_THRESHOLD } from './contracts.js';
import type { BuildData } from './data/index.js';

export const BUILD_PIPELINE = 'build-pipeline';

/** Every build of an idea shares one session, so the idea's builds are listed and streamed together. */
export const buildSessionOf = (ideaId: string): string => `build:${ideaId}`;

export const buildPipelineWorkflow: WorkflowDefinition<BuildParameters> = defineWorkflow({
  name: BUILD_PIPELINE,
  description: 'intake → architecture (then repository, code generation, quality gate, merge, infrastructure, approvals, deploy, docs: to come)',
  parameters: BuildParameters,
  phases: [
    {
      name: 'intake',
      description: 'Reads the idea and checks its viability score against the threshold',
      agent: INTAKE_AGENT,
      input: ({ parameters }) => ({ idea_id: parameters.idea_id, threshold: VIABILITY_THRESHOLD }),
      // The route refuses such ideas already; a run started another way (the generic run route) is refused here.
      next: (_context, output) => {
        const verdict = IntakeVerdict.parse(output);
        return verdict.accepted ? undefined : { end: 'rejected', reason: verdict.reason };
      },
    },
    {
      name: 'architecture',
      description: 'The build architect chooses the architecture from the requirements and the catalogue',
      agent: ARCHITECT_AGENT,
      input: ({ parameters, results }) => ({
        idea: IntakeVerdict.parse(results.intake).idea,
        ...(parameters.stack ? { stack: parameters.stack } : {}),
        ...(parameters.architect ? { mode: parameters.architect } : {}),
      }),
    },
  ],
});

/** The workflow and its agents on a database's build data. */
export function buildPipeline(data: BuildData, llm?: LlmSettings): { workflow: WorkflowDefinition<BuildParameters>; agents: AgentDefinition[] } {
  return { workflow: buildPipelineWorkflow, agents: buildAgents({ data, llm }) };
}
