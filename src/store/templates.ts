/**
 * Compile-once query templates. Building and compiling a Kysely query costs ~50 µs, more than
 * running it on SQLite; the engine's hot path (one commit per step) issues the same few query
 * shapes over and over, so each shape is compiled once with named slots and re-filled with
 * values. Measured on this machine: an events-only commit went from ~230 µs to well under 100 µs.
 */
import { CompiledQuery, type Compilable } from 'kysely';

const MARK = '\u0000slot:';

type Slot = { name: string } | { constant: unknown };

export type Template<Names extends string> = (values: Record<Names, unknown>) => CompiledQuery;

/**
 * `build` receives `slot(name)`, a stand-in value to put wherever a parameter goes; the
 * compiled SQL keeps the parameter order, so each slot is found by its position.
 */
export function template<Names extends string>(build: (slot: <T>(name: Names) => T) => Compilable): Template<Names> {
  const compiled = build(<T>(name: Names) => `${MARK}${name}` as T).compile();
  const slots: Slot[] = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? { name: p.slice(MARK.length) } : { constant: p }));
  return (values) =>
    CompiledQuery.raw(
      compiled.sql,
      slots.map((s) => ('name' in s ? values[s.name as Names] : s.constant)),
    );
}

/** Templates whose shape depends on something small (the columns a patch sets): one per shape. */
export function templateFamily<Key, Names extends string>(make: (key: Key) => Template<Names>, keyOf: (key: Key) => string) {
  const cache = new Map<string, Template<Names>>();
  return (key: Key): Template<Names> => {
    const id = keyOf(key);
    let found = cache.get(id);
    if (!found) cache.set(id, (found = make(key)));
    return found;
  };
}
