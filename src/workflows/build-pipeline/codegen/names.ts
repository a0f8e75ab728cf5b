/**
 * Names the code generator derives from an entity (PascalCase, e.g. `OrderLine`): its plural, snake and kebab
 * forms, SQL table and route path, and sample values per field type for the generated tests and smoke bodies.
 * Pure and deterministic, shared by every stack's generator.
 */
import type { Entity, EntityField, FieldType } from '../contracts.js';

/** Splits `OrderLine`, `order_line`, `order-line` or `orderLine` into lower-case words. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** English plural of one lower-case word, enough for entity names (`category` → `categories`, `box` → `boxes`). */
export function pluralWord(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** Pluralises the last word: `OrderLine` → `OrderLines`, `order_line` → `order_lines`. */
export function plural(name: string): string {
  const parts = words(name);
  const last = parts.pop() ?? '';
  return joinLike(name, [...parts, pluralWord(last)]);
}

// Keeps the input's style: PascalCase in, PascalCase out; otherwise snake case.
function joinLike(original: string, parts: string[]): string {
  if (/^[A-Z]/.test(original)) return pascalCase(parts.join('_'));
  if (original.includes('-')) return parts.join('-');
  return parts.join('_');
}

export const snakeCase = (name: string): string => words(name).join('_');
export const kebabCase = (name: string): string => words(name).join('-');
export const pascalCase = (name: string): string =>
  words(name)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
export const camelCase = (name: string): string => {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
};

/** SQL table of an entity: snake case plural (`OrderLine` → `order_lines`). */
export const tableName = (entity: string): string => snakeCase(plural(entity));
/** The collection's route: `/api/order-lines` (list, create); `${routePath}/{id}` for one. */
export const routePath = (entity: string): string => `/api/${kebabCase(plural(entity))}`;

/**
 * A deterministic sample value per field type: `variant` 0 is the create body, 1 the update body, so the two
 * always differ. Strings mention the field so a failing test says which one it was.
 */
export function sampleValue(field: Pick<EntityField, 'name' | 'type'>, variant = 0): string | number | boolean {
  const n = variant + 1;
  switch (field.type) {
    case 'string':
      return `${field.name} ${n}`;
    case 'text':
      return `A longer text for ${field.name}, version ${n}.`;
    case 'integer':
      return 10 * n + 2;
    case 'number':
      return 12.5 * n;
    case 'boolean':
      return variant % 2 === 0;
    case 'datetime':
      return `2025-0${n}-15T10:30:00.000Z`;
  }
}

/** A value of the wrong type for a field (the validation tests send it and expect a 400 naming the field). */
export function invalidValue(type: FieldType): string | number | boolean {
  switch (type) {
    case 'string':
    case 'text':
      return 42;
    case 'integer':
      return 1.5;
    case 'number':
    case 'boolean':
      return 'not-a-value';
    case 'datetime':
      return 'yesterday';
  }
}

/** The create and update bodies of an entity (every field, required or not). */
export function sampleBody(entity: Entity, variant = 0): Record<string, string | number | boolean> {
  return Object.fromEntries(entity.fields.map((f) => [f.name, sampleValue(f, variant)]));
}
