// Peer benchmark: a LangGraph.js StateGraph of N no-op nodes in a chain, checkpointed by SqliteSaver to a temp file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Annotation, StateGraph, START, END } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { benchArgs, measure } from './common.mjs';

// --durability: LangGraph's own option; "async" (its default) writes each checkpoint while the next step runs.
// --synchronous: override SQLite's synchronous pragma (e.g. FULL); by default the saver's own settings are kept.
const args = benchArgs({ durability: { type: 'string', default: 'async' }, synchronous: { type: 'string' } });
const dir = mkdtempSync(join(tmpdir(), 'baton-peer-langgraph-'));
const checkpointer = SqliteSaver.fromConnString(join(dir, 'checkpoints.db'));
checkpointer.setup(); // sets journal_mode=WAL; better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL)
if (args.synchronous) checkpointer.db.pragma(`synchronous=${args.synchronous}`);
const sync = ['OFF', 'NORMAL', 'FULL', 'EXTRA'][checkpointer.db.pragma('synchronous', { simple: true })];
const journal = checkpointer.db.pragma('journal_mode', { simple: true });

const State = Annotation.Root({ count: Annotation({ reducer: (a, b) => a + b, default: () => 0 }) });
const graph = new StateGraph(State);
let prev = START;
for (let i = 0; i < args.steps; i++) {
  graph.addNode(`step${i}`, async () => ({ count: 1 }));
  graph.addEdge(prev, `step${i}`);
  prev = `step${i}`;
}
graph.addEdge(prev, END);
const app = graph.compile({ checkpointer });

async function runOne() {
  const out = await app.invoke({ count: 0 }, { configurable: { thread_id: randomUUID() }, durability: args.durability });
  if (out.count !== args.steps) throw new Error(`expected count ${args.steps}, got ${out.count}`);
}

try {
  const durability = `langgraph durability=${args.durability}; sqlite journal_mode=${journal} synchronous=${sync}`;
  await measure({ system: 'langgraph', store: 'sqlite', ...args, extra: { durability } }, runOne);
} finally {
  checkpointer.db.close();
  rmSync(dir, { recursive: true, force: true });
}
