/**
 * A small evaluator for the subset of ARM template expressions the build pipeline emits ("[concat(...)]",
 * parameters(), variables(), format(), resourceId(), reference(), listKeys() ...), so that offline
 * validation can resolve names and check that every reference points at a resource of the template.
 */
import { createHash } from 'node:crypto';

/** A value only Azure knows at deployment time (a reference's property, a key): opaque but well-formed. */
export class DeployTimeValue {
  constructor(readonly describe: string) {}
  toString(): string {
    return `<${this.describe}>`;
  }
}

export type ArmValue = string | number | boolean | null | DeployTimeValue | ArmValue[] | { [key: string]: ArmValue };

export class ExpressionError extends Error {}

export interface EvaluationContext {
  parameter(name: string): ArmValue;
  variable(name: string): ArmValue;
  /** Called for every resourceId(type, names...) once resources are known; throws when nothing matches. */
  resolveResourceId(type: string, name: string): void;
  /** Called for reference(nameOrId) / listKeys(nameOrId); throws when nothing matches. */
  resolveReference(nameOrId: string): void;
}

type Node = { kind: 'literal'; value: string | number } | { kind: 'call'; name: string; args: Node[] } | { kind: 'member'; of: Node; key: Node | string };

export function isExpression(value: string): boolean {
  return value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

/** Parses the text inside the brackets of an ARM expression. */
export function parseExpression(text: string): Node {
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[i] !== ch) throw new ExpressionError(`expected "${ch}" at ${i} in "${text}"`);
    i++;
  };
  const primary = (): Node => {
    skip();
    const ch = text[i];
    if (ch === "'") {
      let out = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ExpressionError(`unterminated string in "${text}"`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        out += text[i];
        i++;
      }
      return { kind: 'literal', value: out };
    }
    const number = /^-?\d+/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!ident) throw new ExpressionError(`unexpected "${ch ?? 'end'}" at ${i} in "${text}"`);
    i += ident[0].length;
    expect('(');
    const args: Node[] = [];
    skip();
    if (text[i] === ')') i++;
    else {
      for (;;) {
        args.push(postfix());
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: ident[0], args };
  };
  const postfix = (): Node => {
    let node = primary();
    for (;;) {
      skip();
      if (text[i] === '.') {
        i++;
        const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
        if (!key) throw new ExpressionError(`expected a property name at ${i} in "${text}"`);
        i += key[0].length;
        node = { kind: 'member', of: node, key: key[0] };
      } else if (text[i] === '[') {
        i++;
        const key = postfix();
        expect(']');
        node = { kind: 'member', of: node, key };
      } else return node;
    }
  };
  const node = postfix();
  skip();
  if (i !== text.length) throw new ExpressionError(`unexpected text after position ${i} in "${text}"`);
  return node;
}

const text = (value: ArmValue): string =>
  value instanceof DeployTimeValue ? value.toString() : typeof value === 'object' ? JSON.stringify(value) : String(value);

function member(value: ArmValue, key: ArmValue): ArmValue {
  if (value instanceof DeployTimeValue) return new DeployTimeValue(`${value.describe}.${text(key)}`);
  if (Array.isArray(value) && typeof key === 'number') {
    const item = value[key];
    if (item === undefined) throw new ExpressionError(`index ${key} is out of range`);
    return item;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof key === 'string') {
    const found = value[key];
    if (found === undefined) throw new ExpressionError(`property "${key}" does not exist`);
    return found;
  }
  throw new ExpressionError(`cannot read "${text(key)}" of ${text(value)}`);
}

const RESOURCE_GROUP = { name: 'resource-group', location: 'resource-group-location', id: '/subscriptions/subscription-id/resourceGroups/resource-group' };

function call(name: string, args: ArmValue[], ctx: EvaluationContext): ArmValue {
  const str = (index: number): string => {
    const value = args[index];
    if (value === undefined) throw new ExpressionError(`${name}() needs an argument ${index + 1}`);
    return text(value);
  };
  switch (name.toLowerCase()) {
    case 'parameters':
      return ctx.parameter(str(0));
    case 'variables':
      return ctx.variable(str(0));
    case 'concat':
      return args.map(text).join('');
    case 'format':
      return str(0).replace(/\{(\d+)\}/g, (_, n: string) => str(Number(n) + 1));
    case 'tolower':
      return str(0).toLowerCase();
    case 'replace':
      return str(0).split(str(1)).join(str(2));
    case 'take': {
      const count = args[1];
      if (typeof count !== 'number') throw new ExpressionError('take() needs a number of characters');
      return str(0).slice(0, count);
    }
    case 'uniquestring':
      // ARM's uniqueString is a 13-character deterministic hash of its arguments; any stable hash serves offline.
      return createHash('sha256').update(args.map(text).join('|')).digest('hex').slice(0, 13);
    case 'resourcegroup':
      return RESOURCE_GROUP;
    case 'resourceid': {
      if (args.length < 2) throw new ExpressionError('resourceId() needs a type and a name');
      const type = str(0);
      const resourceName = args.slice(1).map(text).join('/');
      ctx.resolveResourceId(type, resourceName);
      return `${RESOURCE_GROUP.id}/providers/${type}/${resourceName}`;
    }
    case 'reference':
      ctx.resolveReference(str(0));
      return new DeployTimeValue(`reference(${str(0)})`);
    case 'listkeys':
      ctx.resolveReference(str(0));
      return new DeployTimeValue(`listKeys(${str(0)})`);
    default:
      throw new ExpressionError(`function ${name}() is not supported offline`);
  }
}

function evaluateNode(node: Node, ctx: EvaluationContext): ArmValue {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'member') {
    const of = evaluateNode(node.of, ctx);
    return member(of, typeof node.key === 'string' ? node.key : evaluateNode(node.key, ctx));
  }
  return call(
    node.name,
    node.args.map((a) => evaluateNode(a, ctx)),
    ctx,
  );
}

/** A template value with its expressions evaluated ("[[" escapes a literal bracket). */
export function evaluate(value: string, ctx: EvaluationContext): ArmValue {
  if (!isExpression(value)) return value.startsWith('[[') ? value.slice(1) : value;
  return evaluateNode(parseExpression(value.slice(1, -1)), ctx);
}
