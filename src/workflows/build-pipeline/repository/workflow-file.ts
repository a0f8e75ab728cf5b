/**
 * The generated repository's CI workflow: its text per stack, and an offline check against the published GitHub
 * workflow schema (SchemaStore's github-workflow.json, compiled into @action-validator/core's WASM) before it is committed.
 *
 * Why @action-validator/core and not @actions/workflow-parser: the official parser imports its schema JSON without an
 * import attribute, which Node 20 refuses outside a bundler (ERR_IMPORT_ASSERTION_TYPE_MISSING), and Baton runs its
 * compiled JavaScript on plain Node. action-validator ships its WASM in the package (no install script, no download)
 * and has no dependencies.
 */
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { InvalidParametersError, type FieldIssue } from '../../../errors/index.js';

export type AppStack = 'node' | 'python';

/** The CI workflow running the generated app's own tests, on pushes to main and on pull requests. */
export function ciWorkflow(stack: AppStack): string {
  const setup =
    stack === 'node'
      ? ['      - uses: actions/setup-node@v4', '        with:', '          node-version: 20', '      - run: npm ci', '      - run: npm test']
      : [
          '      - uses: actions/setup-python@v5',
          '        with:',
          "          python-version: '3.11'",
          '      - run: pip install -r requirements.txt',
          '      - run: python -m pytest',
        ];
  return [
    'name: CI',
    'on:',
    '  push:',
    '    branches: [main]',
    '  pull_request:',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 15',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...setup,
    '',
  ].join('\n');
}

/**
 * The innermost problems of a schema error: a `one_of` failure nests the attempts at each alternative; the leaves
 * (an unknown property, a missing one, a wrong type) are what a person can fix.
 */
function leafIssues(error: ValidationError): FieldIssue[] {
  if ('states' in error && error.states && error.states.length > 0) return error.states.flatMap((state) => state.errors.flatMap(leafIssues));
  const where = 'location' in error && error.location ? `line ${error.location.line} column ${error.location.column}` : 'path' in error ? error.path : '';
  return [{ path: where, message: error.detail ? `${error.title}: ${error.detail}` : error.title }];
}

/** Refuses a workflow file that does not match the published schema (or is not YAML), naming each problem. */
export function assertValidWorkflow(source: string, file = '.github/workflows/ci.yml'): void {
  const result = validateWorkflow(source);
  if (result.errors.length === 0) return;
  const seen = new Set<string>();
  const issues = result.errors.flatMap(leafIssues).filter((issue) => {
    const key = `${issue.path}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  throw new InvalidParametersError(`${file} is not a valid GitHub workflow`, issues);
}
