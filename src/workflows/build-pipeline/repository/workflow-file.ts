/**
 * The generated repository's CI workflow: its text per stack, and an offline check against the published GitHub
 * workflow schema (GitHub's own, as @actions/workflow-parser reads workflows) before it is committed.
 *
 * Why @actions/workflow-parser (MIT, GitHub's parser) through its parts: its entry point imports the schema JSON
 * without an import attribute, which plain Node refuses outside a bundler (ERR_IMPORT_ASSERTION_TYPE_MISSING), and
 * Baton runs its compiled JavaScript on plain Node. So the schema file is read from the package here and the
 * package's own reader and template checker do the rest (what its `parseWorkflow` does). @action-validator/core
 * (SchemaStore's schema in WASM) was set aside: it is GPL-3.0-only, and Baton is MIT.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateSchema } from '@actions/workflow-parser/templates/schema/index';
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

interface WorkflowChecker {
  schema: TemplateSchema;
  parts: Awaited<ReturnType<typeof importParser>>;
}

/** The parser's parts, loaded on the first check: with yaml they are ~150 modules (~0.14 s) every start of `baton` would pay. */
const importParser = async () => {
  const [{ TemplateContext, TemplateValidationErrors }, { readTemplate }, { WORKFLOW_ROOT }, { YamlObjectReader }] = await Promise.all([
    import('@actions/workflow-parser/templates/template-context'),
    import('@actions/workflow-parser/templates/template-reader'),
    import('@actions/workflow-parser/workflows/workflow-constants'),
    import('@actions/workflow-parser/workflows/yaml-object-reader'),
  ]);
  return { TemplateContext, TemplateValidationErrors, readTemplate, WORKFLOW_ROOT, YamlObjectReader };
};

let checker: Promise<WorkflowChecker> | undefined;
/** GitHub's workflow schema, read once from the parser's package, with the parts that check a file against it. */
function workflowChecker(): Promise<WorkflowChecker> {
  checker ??= (async () => {
    const [parts, { JSONObjectReader }, { TemplateSchema }] = await Promise.all([
      importParser(),
      import('@actions/workflow-parser/templates/json-object-reader'),
      import('@actions/workflow-parser/templates/schema/index'),
    ]);
    const dist = dirname(fileURLToPath(import.meta.resolve('@actions/workflow-parser')));
    const schema = TemplateSchema.load(new JSONObjectReader(undefined, readFileSync(join(dist, 'workflow-v1.0.min.json'), 'utf8')));
    return { schema, parts };
  })();
  return checker;
}

const quiet = { verbose: () => undefined, info: () => undefined, warning: () => undefined, error: () => undefined };

/** Refuses a workflow file that does not match GitHub's workflow schema (or is not YAML), naming each problem with its line. */
export async function assertValidWorkflow(source: string, file = '.github/workflows/ci.yml'): Promise<void> {
  const { schema, parts } = await workflowChecker();
  const { TemplateContext, TemplateValidationErrors, readTemplate, WORKFLOW_ROOT, YamlObjectReader } = parts;
  const context = new TemplateContext(new TemplateValidationErrors(), schema, quiet);
  const fileId = context.getFileId(file);
  const reader = new YamlObjectReader(fileId, source);
  // Not YAML: the schema's complaints about a half-read file would only mislead.
  for (const error of reader.errors) context.error(fileId, error.message, error.range);
  if (reader.errors.length === 0) readTemplate(context, WORKFLOW_ROOT, reader, fileId);
  const errors = context.errors.getErrors();
  if (errors.length === 0) return;
  const issues: FieldIssue[] = errors.map((error) => {
    const at = error.range ? `line ${error.range.start.line} column ${error.range.start.column}` : file;
    return { path: at, message: error.rawMessage ?? error.message };
  });
  throw new InvalidParametersError(`${file} is not a valid GitHub workflow`, issues);
}
