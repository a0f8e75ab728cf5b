// The code generator's renderer and naming: templates print raw code (nothing escaped), control lines leave no
// blank lines, and entity names turn into the plural, table and route forms both stacks use.
import { describe, expect, it } from 'vitest';
import {
  kebabCase,
  pascalCase,
  plural,
  routePath,
  sampleBody,
  sampleValue,
  snakeCase,
  tableName,
} from '../../../../src/workflows/build-pipeline/codegen/names.js';
import { render, TemplateError } from '../../../../src/workflows/build-pipeline/codegen/render.js';

describe('render', () => {
  it('prints code unescaped and drops the lines that only hold control tags', () => {
    const template = 'const a = <%= it.value %>;\n<% for (const x of it.xs) { -%>\nuse(<%= x %>);\n<% } -%>\nend();\n\n\n';
    expect(render(template, { value: '"<b>" && 1', xs: ['one', 'two'] })).toBe('const a = "<b>" && 1;\nuse(one);\nuse(two);\nend();\n');
  });

  it('names the template when it fails', () => {
    expect(() => render('<%= it.missing.deeper %>', {}, 'broken.ts')).toThrow(TemplateError);
    expect(() => render('<%= it.missing.deeper %>', {}, 'broken.ts')).toThrow(/broken\.ts/);
  });
});

describe('names', () => {
  it('derives plural, snake, kebab, table and route forms from an entity name', () => {
    expect(plural('OrderLine')).toBe('OrderLines');
    expect(plural('Category')).toBe('Categories');
    expect(plural('Box')).toBe('Boxes');
    expect(plural('order_line')).toBe('order_lines');
    expect(snakeCase('OrderLine')).toBe('order_line');
    expect(kebabCase('HTTPServer')).toBe('http-server');
    expect(pascalCase('order_line')).toBe('OrderLine');
    expect(tableName('OrderLine')).toBe('order_lines');
    expect(routePath('Category')).toBe('/api/categories');
  });

  it('gives distinct create and update samples of each field type', () => {
    const entity = {
      name: 'Task',
      fields: [
        { name: 'title', type: 'string', required: true },
        { name: 'notes', type: 'text', required: false },
        { name: 'points', type: 'integer', required: true },
        { name: 'cost', type: 'number', required: false },
        { name: 'done', type: 'boolean', required: true },
        { name: 'due_at', type: 'datetime', required: false },
      ],
    } as const;
    const create = sampleBody({ ...entity, fields: [...entity.fields] });
    const update = sampleBody({ ...entity, fields: [...entity.fields] }, 1);
    for (const field of entity.fields) expect(create[field.name]).not.toEqual(update[field.name]);
    expect(Number.isInteger(sampleValue({ name: 'points', type: 'integer' }))).toBe(true);
    expect(new Date(String(create.due_at)).toISOString()).toBe(create.due_at);
  });
});
