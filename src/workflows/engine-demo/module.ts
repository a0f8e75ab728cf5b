/** The editorial demo as a workflow module: a definition and its agents, no tables, no routes: the smallest module there is. */
import type { WorkflowModule } from '../../server/modules.js';
import { editorialAgents, editorialWorkflow } from './index.js';

export const engineDemoModule: WorkflowModule = {
  name: 'engine-demo',
  open: () => ({
    name: 'engine-demo',
    workflows: [editorialWorkflow],
    agents: editorialAgents,
    views: [{ workflow: editorialWorkflow.name, view: 'generic', title: 'Editorial (engine demo)' }],
  }),
};
