/** A code generation request for the Python stack: an idea, the rules' architecture, two entities of mixed field types. */
import { architectByRules } from '../../../../src/workflows/build-pipeline/agents/architect.js';
import { CodegenInput, type CodegenRequest } from '../../../../src/workflows/build-pipeline/codegen/contracts.js';
import type { Entity } from '../../../../src/workflows/build-pipeline/contracts.js';

export const PYTHON_ENTITIES: Entity[] = [
  {
    name: 'Expense',
    fields: [
      { name: 'title', type: 'string', required: true },
      { name: 'amount', type: 'number', required: true },
      { name: 'quantity', type: 'integer', required: false },
      { name: 'spent_at', type: 'datetime', required: true },
      { name: 'is_paid', type: 'boolean', required: true },
      { name: 'notes', type: 'text', required: false },
    ],
  },
  {
    name: 'BudgetCategory',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'archived', type: 'boolean', required: false },
      { name: 'reviewed_at', type: 'datetime', required: false },
      // A keyword as a field name: the model aliases it, SQL quotes it.
      { name: 'from', type: 'string', required: false },
    ],
  },
];

export function pythonRequest(variant: { tests?: 'full' | 'few' } = {}): CodegenRequest {
  const brief = {
    title: 'Expense tracker',
    description: 'A small FastAPI service where a team records its expenses and budget categories.',
    requirements: ['Users can track expenses', 'stack: python'],
    research_findings: [],
  };
  const spec = { ...architectByRules(brief, 'python-fastapi'), entities: PYTHON_ENTITIES };
  return CodegenInput.parse({
    build_id: 'build-py-1',
    app_name: 'expense-tracker',
    idea: {
      ...brief,
      id: 'idea-1',
      viability_score: 91,
      champion: 'Ana',
      created_by: null,
      created_at: '2026-01-01T00:00:00.000Z',
    },
    spec,
    variant: { tests: variant.tests ?? 'full', defect: 'none' },
  });
}
