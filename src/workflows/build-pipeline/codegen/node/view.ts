/**
 * The Node stack's view of a request: per entity and field, the names, TypeScript and SQL types, zod schema and
 * sample values the templates print. Computed once, so the templates stay free of naming logic.
 */
import type { Entity, EntityField, FieldType } from '../../contracts.js';
import type { CodegenRequest } from '../contracts.js';
import { camelCase, invalidValue, kebabCase, pascalCase, plural, routePath, sampleBody, sampleValue, tableName } from '../names.js';

export interface FieldView {
  name: string;
  type: FieldType;
  required: boolean;
  /** The value's TypeScript type in the record (`| null` when optional). */
  tsType: string;
  /** The column's type in the row better-sqlite3 returns (booleans are 0/1 integers in SQLite). */
  rowType: string;
  zod: string;
  sqlType: string;
  isBoolean: boolean;
  /** JSON literals of the create and update samples and of a value of the wrong type. */
  sample: string;
  update: string;
  invalid: string;
}

export interface EntityView {
  name: string;
  plural: string;
  camel: string;
  kebab: string;
  table: string;
  path: string;
  fields: FieldView[];
  required: FieldView[];
  optional: FieldView[];
  sample: Record<string, string | number | boolean>;
  update: Record<string, string | number | boolean>;
}

const TS_TYPES: Record<FieldType, string> = { string: 'string', text: 'string', integer: 'number', number: 'number', boolean: 'boolean', datetime: 'string' };
const SQL_TYPES: Record<FieldType, string> = { string: 'TEXT', text: 'TEXT', integer: 'INTEGER', number: 'REAL', boolean: 'INTEGER', datetime: 'TEXT' };
// Bounds keep a request from storing unbounded text; datetimes are ISO 8601 with an offset, as the audit fields are.
const ZOD: Record<FieldType, string> = {
  string: 'z.string().min(1).max(200)',
  text: 'z.string().max(10000)',
  integer: 'z.number().int()',
  number: 'z.number()',
  boolean: 'z.boolean()',
  datetime: 'z.iso.datetime({ offset: true })',
};

function fieldView(field: EntityField): FieldView {
  const nullable = field.required ? '' : ' | null';
  return {
    name: field.name,
    type: field.type,
    required: field.required,
    tsType: `${TS_TYPES[field.type]}${nullable}`,
    rowType: `${field.type === 'boolean' ? 'number' : TS_TYPES[field.type]}${nullable}`,
    zod: field.required ? ZOD[field.type] : `${ZOD[field.type]}.nullable().optional()`,
    sqlType: `${SQL_TYPES[field.type]}${field.required ? ' NOT NULL' : ''}`,
    isBoolean: field.type === 'boolean',
    sample: JSON.stringify(sampleValue(field, 0)),
    update: JSON.stringify(sampleValue(field, 1)),
    invalid: JSON.stringify(invalidValue(field.type)),
  };
}

export function entityView(entity: Entity): EntityView {
  const fields = entity.fields.map(fieldView);
  return {
    name: pascalCase(entity.name),
    plural: plural(pascalCase(entity.name)),
    camel: camelCase(entity.name),
    kebab: kebabCase(entity.name),
    table: tableName(entity.name),
    path: routePath(entity.name),
    fields,
    required: fields.filter((f) => f.required),
    optional: fields.filter((f) => !f.required),
    sample: sampleBody(entity, 0),
    update: sampleBody(entity, 1),
  };
}

export interface AppView {
  name: string;
  title: string;
  description: string;
  entities: EntityView[];
  defect: CodegenRequest['variant']['defect'];
  tests: CodegenRequest['variant']['tests'];
  /** The test files the test command runs (compiled, under dist/test). */
  testFiles: string[];
}

export function appView(request: CodegenRequest): AppView {
  const entities = request.spec.entities.map(entityView);
  const testFiles =
    request.variant.tests === 'few'
      ? ['health.test.ts']
      : ['config.test.ts', 'auth.test.ts', 'database.test.ts', 'health.test.ts', 'commands.test.ts', ...entities.map((e) => `${e.kebab}.test.ts`)];
  return {
    name: request.app_name,
    title: request.idea.title,
    // One paragraph, no comment terminators: it is printed inside comments and Markdown.
    description: request.idea.description.replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim(),
    entities,
    defect: request.variant.defect,
    tests: request.variant.tests,
    testFiles,
  };
}
