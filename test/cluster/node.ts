/**
 * One Baton node for the cluster test and bench, as a child process: `baton serve`'s own serve()
 * (roles, node id, leases, SIGTERM) on DATABASE_URL, with the cluster workflow added to the
 * installation's modules (main.ts's serve command has no way to add a workflow).
 */
import { openBatonStore, WORKFLOW_MODULES } from '../../src/cli/modules.js';
import { serve } from '../../src/cli/serve.js';
import { serverConfigFromEnv } from '../../src/server/config.js';
import { clusterModule } from './workflow.js';

const store = await openBatonStore({ databaseUrl: process.env.DATABASE_URL, origin: `serve-${process.pid}` });
await serve(store, serverConfigFromEnv(), [...WORKFLOW_MODULES, clusterModule]);
