/** The generated app's OpenAPI 3.1 description, built as data from the entities (so it is valid JSON by construction). */
import type { FieldType } from '../../contracts.js';
import type { AppView, EntityView } from './view.js';

type Schema = Record<string, unknown>;

const FIELD_SCHEMAS: Record<FieldType, Schema> = {
  string: { type: 'string', minLength: 1, maxLength: 200 },
  text: { type: 'string', maxLength: 10000 },
  integer: { type: 'integer' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  datetime: { type: 'string', format: 'date-time' },
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema): Schema => ({ content: { 'application/json': { schema } } });
const error = (description: string): Schema => ({ description, ...json(ref('Error')) });

function inputSchema(entity: EntityView): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: entity.required.map((f) => f.name),
    properties: Object.fromEntries(
      entity.fields.map((f) => [f.name, f.required ? FIELD_SCHEMAS[f.type] : { anyOf: [FIELD_SCHEMAS[f.type], { type: 'null' }] }]),
    ),
  };
}

function recordSchema(entity: EntityView): Schema {
  return {
    allOf: [
      ref(`${entity.name}Input`),
      {
        type: 'object',
        required: ['id', 'created_at', 'updated_at', 'created_by', 'updated_by'],
        properties: {
          id: { type: 'integer' },
          created_at: { type: 'string', format: 'date-time' },
          updated_at: { type: 'string', format: 'date-time' },
          created_by: { type: 'string' },
          updated_by: { type: 'string' },
        },
      },
    ],
  };
}

function paths(entity: EntityView): Record<string, Schema> {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
  const body = { required: true, ...json(ref(`${entity.name}Input`)) };
  const one = { description: `the ${entity.name}`, ...json(ref(entity.name)) };
  return {
    [entity.path]: {
      get: {
        operationId: `list${entity.plural}`,
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: {
          '200': { description: `the ${entity.plural}`, ...json({ type: 'array', items: ref(entity.name) }) },
          '400': error('bad paging'),
          '401': error('no or wrong key'),
        },
      },
      post: {
        operationId: `create${entity.name}`,
        requestBody: body,
        responses: { '201': one, '400': error('invalid body'), '401': error('no or wrong key') },
      },
    },
    [`${entity.path}/{id}`]: {
      parameters: [id],
      get: { operationId: `get${entity.name}`, responses: { '200': one, '401': error('no or wrong key'), '404': error('no such id') } },
      put: {
        operationId: `replace${entity.name}`,
        requestBody: body,
        responses: { '200': one, '400': error('invalid body'), '401': error('no or wrong key'), '404': error('no such id') },
      },
      delete: {
        operationId: `delete${entity.name}`,
        responses: { '204': { description: 'deleted' }, '401': error('no or wrong key'), '404': error('no such id') },
      },
    },
  };
}

export function openApi(app: AppView): Schema {
  const schemas: Record<string, Schema> = {
    Error: {
      type: 'object',
      required: ['error', 'message'],
      properties: {
        error: { type: 'string' },
        message: { type: 'string' },
        fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
    Health: { type: 'object', required: ['status', 'version'], properties: { status: { const: 'ok' }, version: { type: 'string' } } },
  };
  for (const entity of app.entities) {
    schemas[`${entity.name}Input`] = inputSchema(entity);
    schemas[entity.name] = recordSchema(entity);
  }
  return {
    openapi: '3.1.0',
    info: { title: app.title, version: '1.0.0', description: app.description },
    security: [{ apiKey: [] }],
    paths: {
      '/health': {
        get: {
          operationId: 'health',
          security: [],
          responses: { '200': { description: 'serving', ...json(ref('Health')) }, '500': error('cannot serve') },
        },
      },
      ...Object.assign({}, ...app.entities.map(paths)),
    },
    components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } }, schemas },
  };
}
