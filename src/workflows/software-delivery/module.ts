/** Software delivery as a workflow module: no tables of its own (its states are the run's), its routes under /api/workflows/… (the specification's) and /api/delivery/…, and its dashboard view. */
import type { WorkflowModule } from '../../server/modules.js';
import { deliveryRoutes } from './routes.js';
import { SOFTWARE_DELIVERY, softwareDelivery } from './workflow.js';

export const softwareDeliveryModule: WorkflowModule = {
  name: SOFTWARE_DELIVERY,
  open(_host, { llm }) {
    // Roles played by agents use the model when one is configured.
    const { workflow, agents } = softwareDelivery({ llm: llm ?? undefined });
    return {
      name: SOFTWARE_DELIVERY,
      workflows: [workflow],
      agents,
      views: [{ workflow: SOFTWARE_DELIVERY, view: 'software-delivery', title: 'Software delivery' }],
      routes: (engine) => deliveryRoutes(engine),
    };
  },
};
