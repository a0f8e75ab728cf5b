// Runs the chain-of-no-op-steps benchmark on Baton, LangGraph.js (SQLite) and DBOS (PostgreSQL) and prints ratios.
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
    json: { type: 'boolean', default: false },
  },
});
const benchArgs = ['--steps', values.steps, '--runs', values.runs, '--concurrent', values.concurrent];
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
const results = [
  await run("Baton's bench", 'npm', ['run', '--silent', 'bench:engine', '--', '--json', ...benchArgs], root),
  await run('LangGraph.js', process.execPath, [join(here, 'langgraph.mjs'), ...benchArgs], here),
  await run('DBOS', process.execPath, [join(here, 'dbos.mjs'), ...benchArgs], here),
];
const [baton] = results;
const records = results.flatMap((r) => r.records);

const find = (system, store, mode) =>
  records.find((r) => (system === 'baton' ? r.bench === 'engine' : r.system === system) && r.store === store && r.mode === mode);
const comparisons = [];
for (const [system, store] of [['langgraph', 'sqlite'], ['dbos', 'postgres']]) {
  for (const mode of ['sequential', 'concurrent']) {
    const peer = find(system, store, mode);
    const ours = find('baton', store, mode);
    if (!peer || !ours) continue;
    comparisons.push({
      bench: 'peers', comparison: `${system}/baton-${store}`, mode,
      ratio_ms_per_workflow: Math.round((peer.ms_per_workflow / ours.ms_per_workflow) * 100) / 100,
    });
  }
}

// The server's floor (engine.ts: one durable one-row UPDATE per commit a workflow makes), read against DBOS's sequential time.
const floor = records.find((r) => r.bench === 'engine-floor');
const dbosSequential = find('dbos', 'postgres', 'sequential');
if (floor && dbosSequential) {
  comparisons.push({
    bench: 'peers', comparison: 'floor/dbos-postgres', mode: 'sequential',
    floor_ms_per_workflow: floor.ms_per_workflow,
    floor_share_of_dbos: Math.round((floor.ms_per_workflow / dbosSequential.ms_per_workflow) * 100) / 100,
  });
}

if (values.json) {
  for (const rec of [...records, ...comparisons]) console.log(JSON.stringify(rec));
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
  console.log('\nratios of ms/workflow, peer / Baton (above 1 means Baton is faster):');
  if (comparisons.length === 0) console.log('  none (no pair of peer and Baton figures for the same store)');
  for (const c of comparisons) {
    if (c.ratio_ms_per_workflow !== undefined) console.log(`  ${c.comparison.padEnd(22)} ${c.mode.padEnd(10)}  ${c.ratio_ms_per_workflow.toFixed(2)}`);
  }
  if (floor && dbosSequential) {
    const baton = find('baton', 'postgres', 'sequential');
    console.log(
      `\nPostgreSQL floor here: ${floor.ms_per_workflow.toFixed(2)} ms/workflow (${floor.commits_per_workflow} durable one-row UPDATEs, no engine) = ` +
        `${(floor.ms_per_workflow / dbosSequential.ms_per_workflow).toFixed(2)}× DBOS's sequential time` +
        (baton ? `; Baton ${(baton.ms_per_workflow / dbosSequential.ms_per_workflow).toFixed(2)}× DBOS, ${(baton.ms_per_workflow / floor.ms_per_workflow).toFixed(2)}× the floor` : ''),
    );
  }
}

let failed = false;
for (const r of results) {
  if (r.code === 0) continue;
  failed = true;
  const what = r === baton ? "Baton's bench failed (npm run bench:engine)" : `${r.label} failed`;
  const detail = [r.stderr, ...r.other].filter(Boolean).join('\n') || '(no output: is "bench:engine" defined in package.json?)';
  console.error(`\n${what}: exit ${r.code}\n${detail}`);
}
process.exit(failed ? 1 : 0);
