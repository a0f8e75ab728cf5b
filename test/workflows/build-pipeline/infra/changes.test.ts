// Build pipeline stage 7: the planned changes against what the target has now, like ARM what-if — resources
// to create, modify (each differing setting named), delete or leave alone, by type and name — and their cost.
import { describe, expect, it } from 'vitest';
import {
  armFiles,
  assertValidArm,
  costChange,
  costOfResources,
  defaultSpec,
  planChanges,
  summarizeChanges,
  type CurrentResource,
  type ResolvedResource,
} from '../../../../src/workflows/build-pipeline/infra/index.js';

const resourcesOf = (env: 'dev' | 'staging' | 'prod', appName = 'todo-app'): ResolvedResource[] => {
  const files = armFiles(defaultSpec('web-app-sql', appName));
  return assertValidArm(files.template, files.parameters[env], env);
};
const asCurrent = (resources: ResolvedResource[]): CurrentResource[] =>
  resources.map((r) => ({
    type: r.type,
    name: r.name,
    ...(r.sku === undefined ? {} : { sku: r.sku }),
    instances: r.instances,
    settings: structuredClone(r.settings),
  }));

describe('planned changes', () => {
  it('creates every resource on an empty target', () => {
    const changes = planChanges(resourcesOf('prod'), []);
    expect(changes.map((c) => [c.change, c.type, c.name])).toEqual([
      ['create', 'Microsoft.Insights/components', 'todo-app-prod-ai'],
      ['create', 'Microsoft.Web/serverfarms', 'todo-app-prod-plan'],
      ['create', 'Microsoft.Sql/servers', 'todo-app-prod-sql'],
      ['create', 'Microsoft.Sql/servers/databases', 'todo-app-prod-sql/todo-app'],
      ['create', 'Microsoft.Web/sites', 'todo-app-prod'],
    ]);
    expect(summarizeChanges(changes)).toEqual({ create: 5, modify: 0, delete: 0, 'no-change': 0 });
  });

  it('changes nothing when the target already has the same resources, deploy-time values included', () => {
    const desired = resourcesOf('prod');
    expect(summarizeChanges(planChanges(desired, asCurrent(desired)))).toEqual({ create: 0, modify: 0, delete: 0, 'no-change': 5 });
  });

  it('names each differing SKU, instance count and setting of a modified resource', () => {
    const desired = resourcesOf('prod');
    const current = asCurrent(desired);
    const plan = current.find((r) => r.type === 'Microsoft.Web/serverfarms')!;
    plan.sku = 'S1';
    plan.instances = 1;
    const site = current.find((r) => r.type === 'Microsoft.Web/sites')!;
    (site.settings as { properties: { httpsOnly: boolean } }).properties.httpsOnly = false;
    const changes = planChanges(desired, current).filter((c) => c.change === 'modify');
    expect(changes).toEqual([
      {
        change: 'modify',
        type: 'Microsoft.Web/serverfarms',
        name: 'todo-app-prod-plan',
        differences: [
          { path: 'sku', before: 'S1', after: 'P1v2' },
          { path: 'instances', before: 1, after: 2 },
        ],
      },
      { change: 'modify', type: 'Microsoft.Web/sites', name: 'todo-app-prod', differences: [{ path: 'properties.httpsOnly', before: false, after: true }] },
    ]);
  });

  it('deletes what the target has and the template no longer declares, matching names without regard to case', () => {
    const desired = resourcesOf('dev');
    const current: CurrentResource[] = [
      { type: 'microsoft.web/serverfarms', name: 'TODO-APP-DEV-PLAN', sku: 'B1', instances: 1 },
      { type: 'Microsoft.Cache/redis', name: 'todo-app-dev-cache', sku: 'C0' },
    ];
    const changes = planChanges(desired, current);
    expect(changes.find((c) => c.type === 'Microsoft.Web/serverfarms')).toMatchObject({ change: 'no-change', differences: [] });
    expect(changes.at(-1)).toEqual({ change: 'delete', type: 'Microsoft.Cache/redis', name: 'todo-app-dev-cache', differences: [] });
    expect(summarizeChanges(changes)).toEqual({ create: 4, modify: 0, delete: 1, 'no-change': 1 });
  });

  it('prices the change: moving prod from a single S1 with Standard SQL to the prod template costs $548.95 more a month', () => {
    const desired = resourcesOf('prod');
    const current = asCurrent(desired).map((r) =>
      r.type === 'Microsoft.Web/serverfarms' ? { ...r, sku: 'S1', instances: 1 } : r.type === 'Microsoft.Sql/servers/databases' ? { ...r, sku: 'Standard' } : r,
    );
    const before = costOfResources(
      'prod',
      current.map((r) => ({
        type: r.type,
        name: r.name,
        apiVersion: '',
        ...(r.sku === undefined ? {} : { sku: r.sku }),
        instances: r.instances ?? 1,
        settings: {},
      })),
    );
    const after = costOfResources('prod', desired);
    expect(before.monthlyCents).toBe(6935 + 1472);
    expect(costChange(before.monthlyCents, after.monthlyCents)).toMatchObject({ previousCents: 8407, monthlyCents: 63_302, changeCents: 54_895 });
  });
});
