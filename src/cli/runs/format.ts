/**
 * How `baton runs` prints: one module for both backends, so a run reads the same from the
 * database and from a server. Tables and lines for people; `--json` prints the API's shapes.
 */
import type { EventView, RunView } from './backend.js';
import { FINISHED_STATES } from '../../engine/index.js';

export const isFinished = (state: string): boolean => (FINISHED_STATES as readonly string[]).includes(state);

/** ISO time to the second: the table's width is better spent elsewhere. */
const when = (iso: string | null): string => (iso === null ? '-' : iso.replace(/\.\d{3}Z$/, 'Z'));
const short = (value: unknown, max = 100): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};
const units = (n: unknown): string => (typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : String(n));

export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function runTable(runs: RunView[]): string[] {
  return table(
    ['RUN', 'WORKFLOW', 'STATE', 'PHASE', '%', 'CREATED', 'SESSION'],
    runs.map((r) => [r.run_id, r.workflow, r.state, r.phase ?? '-', String(Math.round(r.percent)), when(r.created_at), r.session_id ?? '-']),
  );
}

/** One line on where a run stands: `run <id> (<workflow>) waiting at <phase> (45%) for approval <id>`. */
export function statusLine(run: RunView): string {
  const at = run.phase ? ` at ${run.phase}` : '';
  const waiting = run.waiting_for ? ` for ${run.waiting_for.kind} ${run.waiting_for.approval_id}` : '';
  const error = run.error ? `: ${run.error.error_type} ${run.error.message}` : '';
  return `run ${run.run_id} (${run.workflow}) ${run.state}${at} (${Math.round(run.percent)}%)${waiting}${error}`;
}

/** One event as a line, the fields that matter for its type first. */
export function eventLine(event: EventView): string {
  const e = event as Record<string, unknown>;
  const s = (key: string) => String(e[key]);
  let what: string;
  switch (event.type) {
    case 'run_created':
      what = `${s('workflow')}${e.session_id ? ` in session ${s('session_id')}` : ''}`;
      break;
    case 'run_state':
      what = `${s('from')} → ${s('to')}${e.reason ? ` (${s('reason')})` : ''}`;
      break;
    case 'agent_status':
      what = `${s('agent_name')} ${s('status')} in ${s('phase')} (attempt ${s('attempt')})`;
      break;
    case 'progress':
      what = `${s('agent_name')} ${s('progress')}% ${s('message')}`;
      break;
    case 'complete':
      what = `${s('agent_name')} finished ${s('phase')}: ${short(e.result, 80)}`;
      break;
    case 'error':
      what = `${e.agent_name ? `${s('agent_name')}: ` : ''}${s('error_type')} ${s('error_message')}`;
      break;
    case 'phase_skipped':
      what = `${s('phase')}: ${s('reason')}`;
      break;
    case 'phase_transition':
      what = `${s('from_phase')} → ${s('to_phase')}: ${s('reason')}`;
      break;
    case 'approval_required':
      what = `${s('approval_id')} for ${s('phase')}${e.role ? ` (role ${s('role')})` : ''}`;
      break;
    case 'wait_required':
      what = `${s('kind')} ${s('wait_id')} for ${s('phase')}${e.role ? ` (role ${s('role')})` : ''}`;
      break;
    case 'approval_resolved':
    case 'wait_resolved':
      what = `${s(event.type === 'approval_resolved' ? 'approval_id' : 'wait_id')}: ${short(e.resolution, 80)}`;
      break;
    case 'approval_vote':
      what = `${s('approval_id')} for ${s('phase')}: approved as ${s('role')}; still needed: ${(e.remaining as string[] | undefined)?.join(', ') || '-'}`;
      break;
    case 'workflow_complete':
      what = `${s('state')}`;
      break;
    default: {
      const rest = Object.fromEntries(Object.entries(e).filter(([key]) => !['type', 'run_id', 'seq', 'timestamp'].includes(key)));
      what = short(rest, 100);
    }
  }
  return `#${String(event.seq).padStart(3)} ${when(event.timestamp)} ${event.type.padEnd(17)} ${what}${byWhom(e)}`;
}

/** A decision's actor (`actor`, or a resolution's `by`), as " — by ana". */
function byWhom(e: Record<string, unknown>): string {
  const named = (value: unknown): string | undefined =>
    typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string' ? (value as { name: string }).name : undefined;
  const resolution = e.resolution;
  const name = named(e.actor) ?? (typeof resolution === 'object' && resolution !== null ? named((resolution as { by?: unknown }).by) : undefined);
  return name === undefined ? '' : ` — by ${name}`;
}

/** True when this event says the run ended (a retry or rollback may start it again, but the watch is over). */
export const endsRun = (event: EventView): boolean => event.type === 'run_state' && isFinished(String((event as Record<string, unknown>).to));

interface WaitSeen {
  id: string;
  kind: string;
  phase: string;
  opened: string;
  resolution: unknown;
}

/** Waits as the log tells them: opened by *_required, answered by *_resolved. */
export function waitsOf(events: EventView[]): WaitSeen[] {
  const waits = new Map<string, WaitSeen>();
  for (const event of events) {
    const e = event as Record<string, unknown>;
    if (event.type === 'approval_required' || event.type === 'wait_required') {
      const id = String(e.approval_id ?? e.wait_id);
      waits.set(id, { id, kind: String(e.kind), phase: String(e.phase), opened: event.timestamp, resolution: undefined });
    } else if (event.type === 'approval_resolved' || event.type === 'wait_resolved') {
      const wait = waits.get(String(e.approval_id ?? e.wait_id));
      if (wait) wait.resolution = e.resolution;
    }
  }
  return [...waits.values()];
}

/** The season plan's figures from the agents' results in the log (the latest of each phase), when the run has them. */
export function headlineFigures(events: EventView[]): string[] {
  const latest = (phase: string) =>
    events.filter((e) => e.type === 'complete' && (e as Record<string, unknown>).phase === phase).at(-1)?.result as Record<string, unknown> | undefined;
  const lines: string[] = [];
  const demand = latest('demand');
  // A season planned on sales value counts money, not units: every figure says which.
  const word = demand?.quantity === 'sales_value' ? 'in sales value' : 'units';
  const amount = (n: unknown) => `${units(n)} ${word}`;
  if (demand) {
    const categories = Array.isArray(demand.by_category) ? (demand.by_category as { name?: string | null; category_id?: string; total?: number }[]) : [];
    const byName = categories
      .map((c) => ({ label: c.name ?? c.category_id ?? '?', total: c.total }))
      .sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
    lines.push(
      `forecast: ${amount(demand.season_total)} over ${String(demand.weeks_planned)} weeks${byName.length > 0 ? ` (${byName.map((c) => `${c.label} ${units(c.total)}`).join(', ')})` : ''}`,
    );
    lines.push(`buy: ${amount(demand.manufacturing_quantity)} (safety stock ${units(demand.safety_stock)})`);
  }
  const allocation = latest('allocation');
  if (allocation)
    lines.push(`allocation: ${amount(allocation.store_units)} to ${String(allocation.stores)} stores, ${units(allocation.dc_units)} held at the DC`);
  const close = latest('season_close');
  if (close) {
    lines.push(
      `markdown: ${typeof close.markdown === 'number' && close.markdown > 0 ? `${close.markdown * 100}%` : 'none'}; variance alerts ${String(close.variance_alerts)}, re-forecasts ${String(close.reforecasts)}`,
    );
    lines.push(
      `sold ${amount(close.units_sold)} (${typeof close.sell_through === 'number' ? (close.sell_through * 100).toFixed(1) : '?'}% sell-through), revenue ${units(close.revenue)}`,
    );
  }
  return lines;
}

/** `baton runs show`: where the run stands, what it waits for, its waits, the plan's figures and its last events. */
export function showRun(run: RunView, events: EventView[], lastEvents: number): string[] {
  const lines = [
    `run ${run.run_id}`,
    `  workflow    ${run.workflow}${run.session_id ? ` (session ${run.session_id})` : ''}`,
    `  state       ${run.state}${run.phase ? ` at ${run.phase}` : ''} (${Math.round(run.percent)}%)`,
    `  completed   ${run.completed_phases.join(', ') || '-'}`,
    `  created     ${when(run.created_at)}${run.started_by ? ` by ${run.started_by.name}` : ''}, updated ${when(run.updated_at)}, finished ${when(run.finished_at)}`,
  ];
  const wait = run.waiting_for;
  if (wait) {
    lines.push(
      `  waiting for ${wait.kind} ${wait.approval_id} in ${wait.phase}${wait.role ? ` (role ${wait.role})` : ''}${wait.deadline_at ? `, deadline ${when(wait.deadline_at)}` : ''}`,
    );
    const quorum = wait.policy?.quorum ?? [];
    if (quorum.length > 0) {
      const given = wait.votes.map((v) => `${v.actor.name} (${v.role})`).join(', ') || 'none yet';
      lines.push(`              approvals: ${quorum.join(' + ')}; given: ${given}; still needed: ${wait.still_needed.join(', ') || '-'}`);
    }
    if (wait.data !== null && wait.data !== undefined) lines.push(`              ${short(wait.data, 160)}`);
  }
  if (run.error) lines.push(`  error       ${run.error.error_type}: ${run.error.message}`);
  if (run.result !== null && run.result !== undefined) lines.push(`  result      ${short(run.result, 160)}`);
  const waits = waitsOf(events);
  if (waits.length > 0) {
    lines.push('waits:');
    for (const w of waits) {
      const outcome =
        w.resolution !== undefined ? short(w.resolution, 80) : wait?.approval_id === w.id ? 'open' : 'closed unanswered (cancelled, expired or rolled back)';
      lines.push(`  ${w.id}  ${w.kind} in ${w.phase}, opened ${when(w.opened)}: ${outcome}`);
    }
  }
  const figures = headlineFigures(events);
  if (figures.length > 0) lines.push('plan:', ...figures.map((f) => `  ${f}`));
  const tail = events.slice(-lastEvents);
  lines.push(`last ${tail.length} of ${run.last_seq} events:`, ...tail.map((e) => `  ${eventLine(e)}`));
  return lines;
}
