/**
 * What the Python templates are rendered from: each entity of the specification with its Python, pydantic and SQL
 * names and types, and sample bodies (for the generated tests, the manifest's smoke collections and the docs).
 */
import type { Entity, FieldType } from '../../contracts.js';
import { invalidValue, routePath, sampleValue, snakeCase, tableName } from '../names.js';

/** Python keywords, pydantic v1 BaseModel attributes a field may not shadow, and the names the models' annotations use. */
const PY_RESERVED = new Set([
  ...['false', 'none', 'true', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else'],
  ...['except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise'],
  ...['return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type'],
  ...['dict', 'json', 'copy', 'parse_obj', 'parse_raw', 'parse_file', 'from_orm', 'construct', 'schema', 'schema_json', 'validate', 'fields', 'config'],
  // Names the models' annotations use: a field bound under one of them in a class body would shadow it for later fields.
  ...['datetime', 'typing', 'pydantic', 'timestamps', 'str', 'int', 'float', 'bool'],
]);

export interface PyField {
  /** The name in JSON and the SQL column. */
  name: string;
  /** The attribute in Python (the name, or `name_` with an alias when the name is a keyword or a BaseModel attribute). */
  attr: string;
  aliased: boolean;
  type: FieldType;
  required: boolean;
  /** The annotation of the input model (strict: no silent coercion of "3" to 3 or 1 to true). */
  inputType: string;
  /** The annotation of the answer model (read back from SQLite: 0/1 become booleans, ISO text datetimes). */
  outputType: string;
  /** `Field(...)` arguments after the default. */
  constraints: string;
  sqlType: string;
  sample: unknown;
  update: unknown;
  /** A JSON value of the wrong type for this field (refused with 422 naming it). */
  wrong: unknown;
}

export interface PyEntity {
  name: string;
  /** snake_case singular: `order_item`. */
  snake: string;
  /** snake_case plural, the table: `order_items`. */
  table: string;
  /** The collection's path: `/api/order-items`. */
  path: string;
  fields: PyField[];
  required: PyField[];
  optional: PyField[];
  sample: Record<string, unknown>;
  update: Record<string, unknown>;
  /** Only the required fields of the sample (what a client must send). */
  minimal: Record<string, unknown>;
}

const TYPES: Record<FieldType, { input: string; output: string; sql: string; constraints: string }> = {
  string: { input: 'pydantic.StrictStr', output: 'str', sql: 'TEXT', constraints: ', min_length=1, max_length=200' },
  text: { input: 'pydantic.StrictStr', output: 'str', sql: 'TEXT', constraints: ', max_length=10000' },
  integer: { input: 'pydantic.StrictInt', output: 'int', sql: 'INTEGER', constraints: '' },
  // Integers are numbers too in JSON; StrictFloat alone would refuse 12.
  number: { input: 'typing.Union[pydantic.StrictFloat, pydantic.StrictInt]', output: 'float', sql: 'REAL', constraints: '' },
  boolean: { input: 'pydantic.StrictBool', output: 'bool', sql: 'INTEGER', constraints: '' },
  datetime: { input: 'datetime.datetime', output: 'datetime.datetime', sql: 'TEXT', constraints: '' },
};

export function pyEntity(entity: Entity): PyEntity {
  const snake = snakeCase(entity.name);
  const table = tableName(entity.name);
  const fields = entity.fields.map((field): PyField => {
    const type = TYPES[field.type];
    const aliased = PY_RESERVED.has(field.name);
    const optional = field.required ? '' : 'typing.Optional[';
    return {
      name: field.name,
      attr: aliased ? `${field.name}_` : field.name,
      aliased,
      type: field.type,
      required: field.required,
      inputType: field.required ? type.input : `${optional}${type.input}]`,
      outputType: field.required ? type.output : `${optional}${type.output}]`,
      constraints: `${type.constraints}${aliased ? `, alias="${field.name}"` : ''}`,
      sqlType: `${type.sql}${field.required ? ' NOT NULL' : ''}`,
      sample: sampleValue(field, 0),
      update: sampleValue(field, 1),
      wrong: invalidValue(field.type),
    };
  });
  const pick = (which: 'sample' | 'update', only: PyField[] = fields) => Object.fromEntries(only.map((f) => [f.name, f[which]]));
  return {
    name: entity.name,
    snake,
    table,
    path: routePath(entity.name),
    fields,
    required: fields.filter((f) => f.required),
    optional: fields.filter((f) => !f.required),
    sample: pick('sample'),
    update: pick('update'),
    minimal: pick(
      'sample',
      fields.filter((f) => f.required),
    ),
  };
}

/** A JSON value as a Python literal (the generated tests' bodies). */
export function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, v]) => `${JSON.stringify(key)}: ${pyLiteral(v)}`);
  return `{${entries.join(', ')}}`;
}

/** One line of free text made safe for a Python comment or a Markdown line. */
export const oneLine = (text: string, max = 200): string =>
  text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);

/** Text inside a generated docstring: backslashes and quotes escaped, so no title can end or break it. */
export const docText = (text: string): string => text.replace(/[\\"]/g, (c) => `\\${c}`);
