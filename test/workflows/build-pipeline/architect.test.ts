// The build architect by rules: the template, stack, entities and SKUs per environment it picks for a few ideas, and the
// catalogue check that judges any specification (the rules' own pass it; a wrong SKU or service is named).
import { describe, expect, it } from 'vitest';
import { architectByRules, fieldTypeOf } from '../../../src/workflows/build-pipeline/agents/architect.js';
import { catalogueFindings, skusOf } from '../../../src/workflows/build-pipeline/catalogue.js';
import { ArchitectureSpec } from '../../../src/workflows/build-pipeline/contracts.js';

const idea = (requirements: string[], description = 'An idea.') => ({ title: 'An idea', description, requirements, research_findings: [] });

describe('the build architect by rules', () => {
  it('picks web-app-sql on Node for an API over data, with B1/Basic in dev, S1/S0 in staging and two P1v2 with P1 SQL in prod', () => {
    const spec = architectByRules(idea(['Customers can book appointments with a starts_at time and notes']));
    expect(spec).toMatchObject({ stack: 'node-typescript', template: 'web-app-sql', auth_pattern: 'api-key' });
    expect(spec.services.map((s) => s.kind)).toEqual(['app-service-plan', 'web-app', 'sql-server', 'sql-database']);
    expect(spec.skus).toEqual({
      dev: [
        { service: 'app-service-plan', sku: 'B1', tier: 'Basic', instances: 1 },
        { service: 'sql-database', sku: 'Basic', tier: 'Basic', instances: 1 },
      ],
      staging: [
        { service: 'app-service-plan', sku: 'S1', tier: 'Standard', instances: 1 },
        { service: 'sql-database', sku: 'S0', tier: 'Standard', instances: 1 },
      ],
      prod: [
        { service: 'app-service-plan', sku: 'P1v2', tier: 'PremiumV2', instances: 2 },
        { service: 'sql-database', sku: 'P1', tier: 'Premium', instances: 1 },
      ],
    });
    expect(spec.entities).toEqual([
      {
        name: 'Appointment',
        fields: [
          { name: 'starts_at_time', type: 'datetime', required: true },
          { name: 'notes', type: 'text', required: false },
        ],
      },
    ]);
    expect(spec.rationale.map((r) => r.topic)).toEqual(['stack', 'template', 'services', 'skus', 'entities', 'auth']);
    expect(catalogueFindings(spec)).toEqual([]);
  });

  it.each([
    ['a schedule', 'Send a digest of open invoices every morning', 'runs on a schedule'],
    ['an event', 'Orders are queued and triggered by the shop', 'is event-driven'],
    ['files', 'Process uploaded CSV files into the ledger', 'processes files'],
  ])('picks function-app-storage for work run on %s, and says why', (_what, requirement, says) => {
    const spec = architectByRules(idea([requirement]));
    expect(spec.template).toBe('function-app-storage');
    expect(spec.services.map((s) => s.kind)).toEqual(['app-service-plan', 'function-app', 'storage-account']);
    expect(spec.skus.prod).toEqual([
      { service: 'app-service-plan', sku: 'P1v2', tier: 'PremiumV2', instances: 2 },
      { service: 'storage-account', sku: 'Standard_LRS', tier: 'Standard', instances: 1 },
    ]);
    expect(spec.rationale.find((r) => r.topic === 'template')?.reason).toContain(says);
    expect(catalogueFindings(spec)).toEqual([]);
  });

  it('takes Python from the requirements, explicit stack, template and entities lines, and a stack the build insists on', () => {
    expect(architectByRules(idea(['Forecasts with pandas'])).stack).toBe('python-fastapi');
    const spec = architectByRules(
      idea([
        'stack: python',
        'template: web-app-sql',
        'entities: Customer(name, email, joined_on:datetime, notes?), Invoice(total:number, paid)',
        'runs nightly',
      ]),
    );
    expect(spec).toMatchObject({ stack: 'python-fastapi', template: 'web-app-sql' });
    expect(spec.entities).toEqual([
      {
        name: 'Customer',
        fields: [
          { name: 'name', type: 'string', required: true },
          { name: 'email', type: 'string', required: true },
          { name: 'joined_on', type: 'datetime', required: true },
          { name: 'notes', type: 'text', required: false },
        ],
      },
      {
        name: 'Invoice',
        fields: [
          { name: 'total', type: 'number', required: true },
          { name: 'paid', type: 'boolean', required: true },
        ],
      },
    ]);
    expect(architectByRules(idea(['Forecasts with pandas']), 'node-typescript').stack).toBe('node-typescript');
  });

  it('falls back to one Item when the requirements name nothing the app keeps, and never declares the generated fields', () => {
    const spec = architectByRules(idea([]));
    expect(spec.entities).toEqual([
      {
        name: 'Item',
        fields: [
          { name: 'name', type: 'string', required: true },
          { name: 'description', type: 'text', required: false },
        ],
      },
    ]);
    const withId = architectByRules(idea(['entities: Task(id, title, created_at, due_date)']));
    expect(withId.entities[0]?.fields.map((f) => f.name)).toEqual(['title', 'due_date']);
    expect(fieldTypeOf('due_date')).toBe('datetime');
    expect(fieldTypeOf('quantity')).toBe('integer');
  });

  it('names what a specification breaks of the catalogue: a SKU of the wrong environment, a missing or foreign service', () => {
    const spec = architectByRules(idea(['Users manage projects']));
    const wrong = ArchitectureSpec.parse({
      ...spec,
      services: spec.services
        .filter((s) => s.kind !== 'sql-server')
        .concat({ kind: 'storage-account', resource_type: 'Microsoft.Storage/storageAccounts', purpose: 'x' }),
      skus: { ...spec.skus, prod: skusOf('web-app-sql').dev },
    });
    expect(catalogueFindings(wrong)).toEqual([
      'services: web-app-sql needs sql-server',
      'services: web-app-sql has no storage-account',
      "skus.prod: app-service-plan is B1/Basic×1, the catalogue's is P1v2/PremiumV2×2",
      "skus.prod: sql-database is Basic/Basic×1, the catalogue's is P1/Premium×1",
    ]);
  });
});
