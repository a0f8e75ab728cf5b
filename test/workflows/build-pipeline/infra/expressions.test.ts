// Build pipeline stage 7: the offline evaluator of ARM template expressions validation relies on, and the
// repository files the infrastructure stage writes.
import { describe, expect, it } from 'vitest';
import { DeployTimeValue, evaluate, ExpressionError, type EvaluationContext } from '../../../../src/workflows/build-pipeline/infra/expressions.js';
import { defaultSpec, infraArtefacts } from '../../../../src/workflows/build-pipeline/infra/index.js';

const resolved: string[] = [];
const ctx: EvaluationContext = {
  parameter: (name) => {
    if (name === 'appName') return 'todo-app';
    throw new ExpressionError(`parameter '${name}' is not declared`);
  },
  variable: (name) => ({ list: [1, 2, 3] })[name] ?? null,
  resolveResourceId: (type, name) => void resolved.push(`${type} ${name}`),
  resolveReference: (name) => void resolved.push(`ref ${name}`),
};

describe('an ARM expression', () => {
  it('evaluates format, concat, replace, take and toLower over parameters', () => {
    expect(evaluate("[format('{0}-{1}', parameters('appName'), 'dev')]", ctx)).toBe('todo-app-dev');
    expect(evaluate("[take(concat(replace(parameters('appName'), '-', ''), 'staging'), 10)]", ctx)).toBe('todoappsta');
    expect(evaluate("[toLower('ABC')]", ctx)).toBe('abc');
  });

  it("reads quotes doubled inside strings and leaves '[[' text a literal bracket", () => {
    expect(evaluate("[concat('it''s', ' ok')]", ctx)).toBe("it's ok");
    expect(evaluate('[[not an expression]', ctx)).toBe('[not an expression]');
    expect(evaluate('plain text', ctx)).toBe('plain text');
  });

  it('reports every resourceId and reference to the context, and keeps reference properties as deploy-time values', () => {
    resolved.length = 0;
    const value = evaluate("[reference(resourceId('Microsoft.Web/sites', parameters('appName'))).defaultHostName]", ctx);
    expect(value).toBeInstanceOf(DeployTimeValue);
    expect((value as DeployTimeValue).toString()).toMatch(/^<reference\(.*\/providers\/Microsoft.Web\/sites\/todo-app\)\.defaultHostName>$/);
    expect(resolved).toEqual([
      'Microsoft.Web/sites todo-app',
      'ref /subscriptions/subscription-id/resourceGroups/resource-group/providers/Microsoft.Web/sites/todo-app',
    ]);
    expect(evaluate("[variables('list')[1]]", ctx)).toBe(2);
  });

  it('refuses malformed text, unknown functions and undeclared parameters by name', () => {
    expect(() => evaluate("[concat('a']", ctx)).toThrow(ExpressionError);
    expect(() => evaluate("[subscriptionResourceId('x', 'y')]", ctx)).toThrow(/subscriptionResourceId\(\) is not supported offline/);
    expect(() => evaluate("[parameters('nope')]", ctx)).toThrow(/parameter 'nope' is not declared/);
  });
});

describe('the infrastructure files of a repository', () => {
  it('are the ARM template, its Bicep text and a parameter file per environment, byte-identical on a re-run', () => {
    const spec = defaultSpec('function-app-storage', 'todo-app');
    const files = infraArtefacts(spec);
    expect(Object.keys(files)).toEqual([
      'infra/main.json',
      'infra/main.bicep',
      'infra/main.parameters.dev.json',
      'infra/main.parameters.staging.json',
      'infra/main.parameters.prod.json',
    ]);
    expect(JSON.parse(files['infra/main.parameters.prod.json'] ?? '')).toMatchObject({
      parameters: { environment: { value: 'prod' }, planSkuName: { value: 'P1v2' } },
    });
    expect(infraArtefacts(spec)).toEqual(files);
  });
});
