// Peer benchmark: a DBOS Transact workflow of N no-op DBOS.runStep steps, with its system database on PostgreSQL.
import pg from 'pg';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { benchArgs, measure } from './common.mjs';

const args = benchArgs();
const baseUrl = process.env.BATON_TEST_POSTGRES_URL;
if (!baseUrl) {
  console.log('DBOS skipped: no PostgreSQL is configured (BATON_TEST_POSTGRES_URL is unset)');
  process.exit(0);
}

// DBOS gets a database of its own on the same server, dropped before and after so each run starts empty.
const sysUrl = new URL(baseUrl);
const dbName = `${sysUrl.pathname.slice(1) || 'postgres'}_dbos_bench`;
sysUrl.pathname = `/${dbName}`;
async function dropDatabase() {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const noop = async () => 1;
const chain = DBOS.registerWorkflow(async (steps) => {
  let count = 0;
  for (let i = 0; i < steps; i++) count += await DBOS.runStep(noop, { name: `step${i}` });
  return count;
}, { name: 'chain' });

async function runOne() {
  const count = await chain(args.steps); // DBOS assigns each workflow a fresh UUID
  if (count !== args.steps) throw new Error(`expected count ${args.steps}, got ${count}`);
}

async function showSetting(name) {
  const client = new pg.Client({ connectionString: sysUrl.toString() });
  await client.connect();
  try {
    return (await client.query(`SHOW ${name}`)).rows[0][name];
  } finally {
    await client.end();
  }
}

await dropDatabase();
DBOS.setConfig({ name: 'baton-bench-peers', systemDatabaseUrl: sysUrl.toString(), logLevel: 'error' });
await DBOS.launch(); // creates the database and runs DBOS's migrations
try {
  const durability = `dbos checkpoint per step; postgres synchronous_commit=${await showSetting('synchronous_commit')} fsync=${await showSetting('fsync')}`;
  await measure({ system: 'dbos', store: 'postgres', ...args, extra: { durability } }, runOne);
} finally {
  await DBOS.shutdown();
  await dropDatabase();
}
