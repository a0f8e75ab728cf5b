/**
 * The workflows this installation runs: ONE list for `baton serve`, `baton runs`, `baton data`, the
 * demos and retention. Adding a workflow is a folder under src/workflows/ exporting a
 * `WorkflowModule`, and one line here.
 */
import type { WorkflowModule } from '../server/modules.js';
import { storeModules } from '../server/modules.js';
import { openStore, type BatonStore, type StoreConfig } from '../store/index.js';
import { buildPipelineModule } from '../workflows/build-pipeline/module.js';
import { engineDemoModule } from '../workflows/engine-demo/module.js';
import { seasonPlanningModule } from '../workflows/season-planning/module.js';
import { softwareDeliveryModule } from '../workflows/software-delivery/module.js';

export const WORKFLOW_MODULES: readonly WorkflowModule[] = [seasonPlanningModule, engineDemoModule, softwareDeliveryModule, buildPipelineModule];

/** Opens the database with every module's tables migrated (and pruned with their runs), whichever workflows this command drives. */
export function openBatonStore(config: Omit<StoreConfig, 'modules'>): Promise<BatonStore> {
  return openStore({ ...config, modules: storeModules(WORKFLOW_MODULES) });
}
