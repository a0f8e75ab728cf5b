/**
 * Planned changes (stage 7), like ARM what-if: the resources a template would deploy against what the
 * target has now — created, modified (with each differing setting), deleted or unchanged — by type and name.
 * Deploy-time values (a key, a reference's property) are unknown offline and never reported as a change.
 */
import type { ResolvedResource } from './validate.js';

/** What the target has now, as its recorded state knows it (a resource of an earlier deployment). */
export interface CurrentResource {
  type: string;
  name: string;
  sku?: string;
  instances?: number;
  settings?: Record<string, unknown>;
}

export interface Difference {
  path: string;
  before: unknown;
  after: unknown;
}

export interface PlannedChange {
  change: 'create' | 'modify' | 'delete' | 'no-change';
  type: string;
  name: string;
  differences: Difference[];
}

const keyOf = (r: { type: string; name: string }) => `${r.type.toLowerCase()}|${r.name.toLowerCase()}`;
const deployTime = (v: unknown) => typeof v === 'string' && v.startsWith('<') && v.endsWith('>');

function diff(before: unknown, after: unknown, path: string, out: Difference[]): void {
  if (deployTime(after)) return;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) diff(before[key], after[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((b, i) => diff(b, after[i], `${path}[${i}]`, out));
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before: before ?? null, after: after ?? null });
}

/** The planned changes, in the template's order, then the deletions in the order the target lists them. */
export function planChanges(desired: readonly ResolvedResource[], current: readonly CurrentResource[]): PlannedChange[] {
  const now = new Map(current.map((r) => [keyOf(r), r]));
  const changes: PlannedChange[] = desired.map((resource) => {
    const existing = now.get(keyOf(resource));
    if (!existing) return { change: 'create', type: resource.type, name: resource.name, differences: [] };
    const differences: Difference[] = [];
    if ((existing.sku ?? null) !== (resource.sku ?? null)) differences.push({ path: 'sku', before: existing.sku ?? null, after: resource.sku ?? null });
    if ((existing.instances ?? 1) !== resource.instances) differences.push({ path: 'instances', before: existing.instances ?? 1, after: resource.instances });
    // Settings are compared only when the target recorded them; a SKU-only record is not a change of every setting.
    if (existing.settings) diff(existing.settings, resource.settings, '', differences);
    return { change: differences.length > 0 ? 'modify' : 'no-change', type: resource.type, name: resource.name, differences };
  });
  const wanted = new Set(desired.map(keyOf));
  for (const resource of current) {
    if (!wanted.has(keyOf(resource))) changes.push({ change: 'delete', type: resource.type, name: resource.name, differences: [] });
  }
  return changes;
}

/** Counts by kind of change, for a one-line summary ("2 to create, 1 to modify, 0 to delete"). */
export function summarizeChanges(changes: readonly PlannedChange[]): Record<PlannedChange['change'], number> {
  const counts = { create: 0, modify: 0, delete: 0, 'no-change': 0 };
  for (const c of changes) counts[c.change]++;
  return counts;
}
