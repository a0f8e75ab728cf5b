// Runs the chain-of-no-op-steps benchmark on Baton, LangGraph.js (SQLite) and DBOS (PostgreSQL) and prints ratios.
// With PostgreSQL, Baton and DBOS are measured in --rounds rounds, alternating which goes first, and the
// ratio printed is the median of the rounds' ratios: one run's ratio moves by ±20% on a shared machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    runs: { type: 'string', default: '200' },
    concurrent: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
// The same warm-up for every system: sequential workflows, then a concurrent batch, none timed.
const benchArgs = ['--steps', values.steps, '--runs', values.runs, '--concurrent', values.concurrent, '--warmup', values.warmup];
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench/peers: --rounds must be a positive integer, got ${values.rounds}`);
  process.exit(2);
}
// In --json mode stdout carries only JSON lines; everything else goes to stderr.
const note = (line) => (values.json ? console.error(line) : console.log(line));

if (!existsSync(join(here, 'node_modules'))) {
  const cmd = existsSync(join(here, 'package-lock.json')) ? 'ci' : 'install';
  note(`bench/peers: node_modules missing, running npm ${cmd} in bench/peers (builds better-sqlite3, takes a few minutes)`);
  const r = spawnSync('npm', [cmd, '--no-audit', '--no-fund'], {
    cwd: here,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, npm_config_build_from_source: 'true' }, // compile better-sqlite3: no binary download
  });
  if (r.status !== 0) {
    console.error(`bench/peers: npm ${cmd} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

/** Runs a command, resolving with its exit code, JSON lines, other stdout lines and stderr. */
function run(label, cmd, args, cwd) {
  note(`running ${label}...`);
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => (err += String(e)));
    child.on('close', (code, signal) => {
      const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
      const records = [];
      const other = [];
      for (const line of lines) {
        try {
          const rec = JSON.parse(line);
          if (rec && typeof rec === 'object' && rec.bench) records.push(rec);
          else other.push(line);
        } catch {
          other.push(line);
        }
      }
      done({ label, code: code ?? signal, records, other, stderr: err.trim() });
    });
  });
}

// One after another, so the systems never compete for the machine's cores.
const batonBench = (stores) => run("Baton's bench", 'npm', ['run', '--silent', 'bench:engine', '--', '--json', '--stores', stores, '--repeat', '1', ...benchArgs], root);
const dbosBench = () => run('DBOS', process.execPath, [join(here, 'dbos.mjs'), ...benchArgs], here);
const results = [await batonBench('sqlite,postgres'), await run('LangGraph.js', process.execPath, [join(here, 'langgraph.mjs'), ...benchArgs], here), await dbosBench()];
const postgres = Boolean(process.env.BATON_TEST_POSTGRES_URL);
if (!postgres && rounds > 1) note('bench/peers: one round only: the rounds compare Baton and DBOS on PostgreSQL, and BATON_TEST_POSTGRES_URL is unset');
// Later rounds: Baton on PostgreSQL and DBOS only, DBOS first in even rounds so neither always runs on a warmer machine.
const roundResults = [[results[0], results[2]]];
for (let round = 2; postgres && round <= rounds; round++) {
  note(`round ${round} of ${rounds}`);
  let ours;
  let theirs;
  if (round % 2 === 0) {
    theirs = await dbosBench();
    ours = await batonBench('postgres');
  } else {
    ours = await batonBench('postgres');
    theirs = await dbosBench();
  }
  roundResults.push([ours, theirs]);
  results.push(ours, theirs);
}
const records = results.slice(0, 3).flatMap((r) => r.records);

const find = (list, system, store, mode) =>
  list.find((r) => (system === 'baton' ? r.bench === 'engine' : r.system === system) && r.store === store && r.mode === mode);
const round2 = (x) => Math.round(x * 100) / 100;
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// Each PostgreSQL round: Baton's and DBOS's figures and their ratios, read within that round only.
const perRound = roundResults.map(([ours, theirs], i) => {
  const mine = ours.records;
  const peer = theirs.records;
  const row = { round: i + 1 };
  for (const mode of ['sequential', 'concurrent']) {
    const b = find(mine, 'baton', 'postgres', mode);
    const d = find(peer, 'dbos', 'postgres', mode);
    if (b && d) row[mode] = { baton_ms: b.ms_per_workflow, dbos_ms: d.ms_per_workflow, ratio: d.ms_per_workflow / b.ms_per_workflow };
  }
  const floor = mine.find((r) => r.bench === 'engine-floor');
  if (floor && row.sequential) row.floor = { ms: floor.ms_per_workflow, share_of_dbos: floor.ms_per_workflow / row.sequential.dbos_ms };
  return row;
}).filter((row) => row.sequential || row.concurrent);

const comparisons = [];
for (const mode of ['sequential', 'concurrent']) {
  const peer = find(records, 'langgraph', 'sqlite', mode);
  const ours = find(records, 'baton', 'sqlite', mode);
  if (peer && ours) comparisons.push({ bench: 'peers', comparison: 'langgraph/baton-sqlite', mode, ratio_ms_per_workflow: round2(peer.ms_per_workflow / ours.ms_per_workflow) });
}
for (const mode of ['sequential', 'concurrent']) {
  const ratios = perRound.filter((row) => row[mode]).map((row) => row[mode].ratio);
  if (ratios.length === 0) continue;
  comparisons.push({
    bench: 'peers', comparison: 'dbos/baton-postgres', mode, rounds: ratios.length,
    ratio_ms_per_workflow: round2(median(ratios)), ratios: ratios.map(round2),
    baton_share_of_dbos: round2(median(ratios.map((r) => 1 / r))),
  });
}
// The server's floor (engine.ts: one durable one-row UPDATE per commit a workflow makes), read against DBOS's sequential time.
const floors = perRound.filter((row) => row.floor);
if (floors.length > 0) {
  comparisons.push({
    bench: 'peers', comparison: 'floor/dbos-postgres', mode: 'sequential', rounds: floors.length,
    floor_ms_per_workflow: round2(median(floors.map((row) => row.floor.ms))),
    floor_share_of_dbos: round2(median(floors.map((row) => row.floor.share_of_dbos))),
  });
}
const roundRecords = perRound.map((row) => ({ bench: 'peers-round', ...row }));

if (values.json) {
  for (const rec of [...records, ...roundRecords, ...comparisons]) console.log(JSON.stringify(rec));
  for (const r of results) for (const line of r.other) console.error(`[${r.label}] ${line}`);
} else {
  const rows = [['system', 'store', 'mode', 'steps', 'runs', 'ms/workflow', 'steps/s']];
  for (const r of records) {
    if (r.bench === 'engine-floor') continue;
    const system = r.bench === 'engine' ? 'baton' : r.system;
    rows.push([system, r.store, r.mode, r.steps, r.runs, r.ms_per_workflow.toFixed(2), r.steps_per_s.toFixed(0)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  console.log('');
  for (const row of rows) console.log(row.map((c, i) => String(c)[i < 3 ? 'padEnd' : 'padStart'](widths[i])).join('  '));
  console.log('\ndurability:');
  const seen = new Set();
  for (const r of records) {
    const key = `${r.bench === 'engine' ? 'baton' : r.system} (${r.store})`;
    if (!seen.has(key) && r.durability) console.log(`  ${key}: ${r.durability}`);
    seen.add(key);
  }
  for (const r of results) for (const line of r.other) console.log(`[${r.label}] ${line}`);
  if (perRound.length > 0) {
    console.log('\nPostgreSQL, round by round (DBOS first in even rounds):');
    const table = [['round', 'baton seq', 'dbos seq', 'baton/dbos', 'floor', 'floor/dbos', 'dbos/baton conc']];
    const ms = (x) => (x === undefined ? '-' : x.toFixed(2));
    for (const row of perRound) {
      table.push([row.round, ms(row.sequential?.baton_ms), ms(row.sequential?.dbos_ms), ms(row.sequential && 1 / row.sequential.ratio), ms(row.floor?.ms), ms(row.floor?.share_of_dbos), ms(row.concurrent?.ratio)]);
    }
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
    for (const row of table) console.log('  ' + row.map((c, i) => String(c).padStart(widths[i])).join('  '));
  }
  console.log('\nratios of ms/workflow, peer / Baton (above 1 means Baton is faster; PostgreSQL: the median of the rounds):');
  if (comparisons.length === 0) console.log('  none (no pair of peer and Baton figures for the same store)');
  for (const c of comparisons) {
    if (c.ratio_ms_per_workflow === undefined) continue;
    const detail = c.rounds ? `  (${c.rounds} rounds; Baton ${c.baton_share_of_dbos.toFixed(2)}× DBOS's time)` : '';
    console.log(`  ${c.comparison.padEnd(22)} ${c.mode.padEnd(10)}  ${c.ratio_ms_per_workflow.toFixed(2)}${detail}`);
  }
  const floor = comparisons.find((c) => c.comparison === 'floor/dbos-postgres');
  const commits = results[0].records.find((r) => r.bench === 'engine-floor')?.commits_per_workflow;
  if (floor) {
    console.log(
      `\nPostgreSQL floor here: ${floor.floor_ms_per_workflow.toFixed(2)} ms/workflow (${commits ?? 'one per commit:'} durable one-row UPDATEs, no engine) = ` +
        `${floor.floor_share_of_dbos.toFixed(2)}× DBOS's sequential time (medians of the rounds)`,
    );
  }
}

let failed = false;
for (const r of results) {
  if (r.code === 0) continue;
  failed = true;
  const what = r.label === "Baton's bench" ? "Baton's bench failed (npm run bench:engine)" : `${r.label} failed`;
  const detail = [r.stderr, ...r.other].filter(Boolean).join('\n') || '(no output: is "bench:engine" defined in package.json?)';
  console.error(`\n${what}: exit ${r.code}\n${detail}`);
}
process.exit(failed ? 1 : 0);
