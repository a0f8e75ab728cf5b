/**
 * The Python app's OpenAPI document and API guide, written from the specification at generation time (the app is
 * not run to get them); they describe the routes, models and errors the templates generate.
 */
import { API_KEY_HEADER, APP_ENV, HEALTH_PATH } from '../../app/contracts.js';
import type { FieldType } from '../../contracts.js';
import type { CodegenRequest } from '../contracts.js';
import { oneLine, type PyEntity } from './model.js';

type Schema = Record<string, unknown>;

const FIELD_SCHEMAS: Record<FieldType, Schema> = {
  string: { type: 'string', minLength: 1, maxLength: 200 },
  text: { type: 'string', maxLength: 10_000 },
  integer: { type: 'integer' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  datetime: { type: 'string', format: 'date-time' },
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: Schema): Schema => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema?: Schema): Schema => (schema ? { description, ...jsonBody(schema) } : { description });

const ERRORS = {
  '401': answer('Missing or wrong API key', ref('Error')),
  '422': answer('Validation failed: one entry per field (loc names it)', ref('ValidationError')),
};

function entitySchemas(entity: PyEntity): Record<string, Schema> {
  const properties = Object.fromEntries(
    entity.fields.map((field) => [field.name, field.required ? FIELD_SCHEMAS[field.type] : { ...FIELD_SCHEMAS[field.type], nullable: true }]),
  );
  const required = entity.required.map((f) => f.name);
  return {
    [`${entity.name}Input`]: { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false, example: entity.sample },
    [entity.name]: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        ...properties,
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
        created_by: { type: 'string' },
        updated_by: { type: 'string' },
      },
      required: ['id', ...required, 'created_at', 'updated_at', 'created_by', 'updated_by'],
    },
  };
}

function entityPaths(entity: PyEntity): Record<string, Schema> {
  const tags = [entity.name];
  const id = { name: 'record_id', in: 'path', required: true, schema: { type: 'integer' } };
  const actor = { name: 'x-actor', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'Who the audit fields name' };
  const notFound = { '404': answer(`No ${entity.name} with this id`, ref('Error')) };
  return {
    [entity.path]: {
      get: {
        tags,
        operationId: `list_${entity.table}`,
        summary: `List ${entity.name} records by id`,
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: { '200': answer('The records', { type: 'array', items: ref(entity.name) }), ...ERRORS },
      },
      post: {
        tags,
        operationId: `create_${entity.snake}`,
        summary: `Create a ${entity.name}`,
        parameters: [actor],
        requestBody: { required: true, ...jsonBody(ref(`${entity.name}Input`)) },
        responses: { '201': answer('Created', ref(entity.name)), ...ERRORS },
      },
    },
    [`${entity.path}/{record_id}`]: {
      get: {
        tags,
        operationId: `read_${entity.snake}`,
        summary: `Read a ${entity.name}`,
        parameters: [id],
        responses: { '200': answer('The record', ref(entity.name)), ...notFound, ...ERRORS },
      },
      put: {
        tags,
        operationId: `replace_${entity.snake}`,
        summary: `Replace a ${entity.name}'s fields`,
        parameters: [id, actor],
        requestBody: { required: true, ...jsonBody(ref(`${entity.name}Input`)) },
        responses: { '200': answer('The record as replaced', ref(entity.name)), ...notFound, ...ERRORS },
      },
      delete: {
        tags,
        operationId: `delete_${entity.snake}`,
        summary: `Delete a ${entity.name}`,
        parameters: [id],
        responses: { '204': answer('Deleted'), ...notFound, ...ERRORS },
      },
    },
  };
}

/** OpenAPI 3.0 (the version FastAPI 0.92 writes) for the generated routes. */
export function openApi(title: string, description: string, entities: PyEntity[]): Schema {
  return {
    openapi: '3.0.2',
    info: { title, description, version: '1.0.0' },
    security: [{ ApiKey: [] }],
    paths: {
      [HEALTH_PATH]: {
        get: {
          tags: ['health'],
          operationId: 'health',
          summary: 'Whether the app serves, and its version (the commit it was built from)',
          security: [],
          responses: {
            '200': answer('Serving', {
              type: 'object',
              properties: { status: { type: 'string', enum: ['ok'] }, version: { type: 'string' } },
              required: ['status', 'version'],
            }),
          },
        },
      },
      ...Object.fromEntries(entities.flatMap((entity) => Object.entries(entityPaths(entity)))),
    },
    components: {
      securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: API_KEY_HEADER } },
      schemas: {
        ...Object.fromEntries(entities.flatMap((entity) => Object.entries(entitySchemas(entity)))),
        Error: { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] },
        ValidationError: {
          type: 'object',
          properties: {
            detail: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  loc: { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
                  msg: { type: 'string' },
                  type: { type: 'string' },
                },
                required: ['loc', 'msg', 'type'],
              },
            },
          },
        },
      },
    },
  };
}

const TYPE_WORDS: Record<FieldType, string> = {
  string: 'string (1–200 characters)',
  text: 'string (up to 10,000 characters)',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  datetime: 'date-time (ISO 8601; answered in UTC as `YYYY-MM-DDTHH:MM:SS.mmmZ`)',
};

/** docs/API.md: running, configuration, auth, routes, models and errors. */
export function apiDoc(request: CodegenRequest, title: string, entities: PyEntity[]): string {
  const first = entities[0] as PyEntity;
  const lines = [
    `# ${title}: API`,
    '',
    oneLine(request.idea.description, 1_000),
    '',
    'Generated by the Baton build pipeline (Python stack: FastAPI, pydantic, SQLite). The OpenAPI description is `openapi.json`.',
    '',
    '## Running',
    '',
    '| Command | What it does |',
    '| --- | --- |',
    '| `python -m app.migrate` | Applies the numbered migrations in `app/migrations/` to `DATABASE_FILE` (applied ones are recorded and skipped) |',
    '| `python -m app` | Serves on `HOST`:`PORT` until SIGTERM |',
    '| `python scripts/run_tests.py` | Runs the tests with line and branch coverage (lcov at `coverage/lcov.info`, function records added) |',
    '| `python -m mypy app scripts tests` | Type check (strict) |',
    '',
    '| Variable | Meaning |',
    '| --- | --- |',
    `| \`${APP_ENV.apiKey}\` | Required. The key clients send in \`${API_KEY_HEADER}\` |`,
    `| \`${APP_ENV.databaseFile}\` | Required. The SQLite file |`,
    `| \`${APP_ENV.host}\` | Default \`127.0.0.1\` |`,
    `| \`${APP_ENV.port}\` | Default \`8000\` |`,
    `| \`${APP_ENV.version}\` | Reported by \`${HEALTH_PATH}\` (the commit SHA when deployed); default \`dev\` |`,
    `| \`${APP_ENV.environment}\` | dev, staging or prod; default \`dev\` |`,
    '',
    'The app exits with status 2 and names what is missing when `API_KEY` or `DATABASE_FILE` is not set.',
    '',
    '## Authentication',
    '',
    `Every route but \`${HEALTH_PATH}\` needs the header \`${API_KEY_HEADER}\` equal to \`API_KEY\` (compared in constant time); otherwise 401.`,
    'The optional header `x-actor` names who makes a change (`created_by`, `updated_by`); without it they read `api-key`.',
    '',
    '## Routes',
    '',
    '| Method | Path | Answer |',
    '| --- | --- | --- |',
    `| GET | \`${HEALTH_PATH}\` | 200 \`{"status": "ok", "version": "<APP_VERSION>"}\` (no key needed) |`,
  ];
  for (const entity of entities) {
    lines.push(
      `| GET | \`${entity.path}?limit=50&offset=0\` | 200, the ${entity.name} records by id (limit 1–500) |`,
      `| POST | \`${entity.path}\` | 201, the ${entity.name} created |`,
      `| GET | \`${entity.path}/{id}\` | 200, or 404 |`,
      `| PUT | \`${entity.path}/{id}\` | 200, the ${entity.name} with every field replaced, or 404 |`,
      `| DELETE | \`${entity.path}/{id}\` | 204, or 404 |`,
    );
  }
  lines.push('', '## Models', '', 'Every record also has `id` (integer), `created_at`, `updated_at` (date-time), `created_by` and `updated_by` (strings).');
  for (const entity of entities) {
    lines.push('', `### ${entity.name}`, '', '| Field | Type | Required |', '| --- | --- | --- |');
    for (const field of entity.fields) lines.push(`| \`${field.name}\` | ${TYPE_WORDS[field.type]} | ${field.required ? 'yes' : 'no (null when absent)'} |`);
    lines.push('', 'Example body:', '', '```json', JSON.stringify(entity.sample, null, 2), '```');
  }
  lines.push(
    '',
    '## Errors',
    '',
    '- 401 `{"detail": "missing or invalid API key (header x-api-key)"}`',
    '- 404 `{"detail": "<Entity> <id> not found"}`',
    '- 422 `{"detail": [{"loc": ["body", "<field>"], "msg": "...", "type": "..."}]}`: a missing required field, a value of the wrong type (no coercion: `"3"` is not an integer), an unknown field, or malformed JSON',
    '',
    '## Example',
    '',
    '```sh',
    `curl -s -H "${API_KEY_HEADER}: $API_KEY" -H 'content-type: application/json' -d '${JSON.stringify(first.sample)}' http://127.0.0.1:8000${first.path}`,
    '```',
    '',
    `Build ${request.build_id}.`,
  );
  return `${lines.join('\n')}\n`;
}
