/**
 * The build architect: from an idea's requirements to an architecture specification. Offline by rules (stack,
 * template, entities and auth from the requirements' words and explicit `stack:`/`template:`/`entities:` lines;
 * services and SKUs from the catalogue). With a model, its answer must pass the same schema and catalogue, else
 * the rules stand and the decision records why.
 */
import { z } from 'zod';
import { issuesOf } from '../../../errors/zod-issues.js';
import { parseJsonLoosely } from '../../../llm/llm-extractor.js';
import { askForJson, createChatClient, modelOf, type LlmSettings } from '../../../llm/provider.js';
import { catalogueFindings, SERVICES, servicesOf, SKUS, skusOf, STACK_ROWS, TEMPLATE_ROWS } from '../catalogue.js';
import {
  ArchitectureSpec,
  FIELD_TYPES,
  GENERATED_FIELDS,
  Stack,
  Template,
  type ArchitectureDecision,
  type Entity,
  type EntityField,
  type FieldType,
  type Idea,
} from '../contracts.js';

type Rationale = ArchitectureSpec['rationale'][number];
/** What the architect reads of an idea. */
export type IdeaBrief = Pick<Idea, 'title' | 'description' | 'requirements' | 'research_findings'>;

/** Words that make an idea work done on a schedule, an event or a file rather than an HTTP API over a database. */
const FUNCTION_SIGNALS: readonly { pattern: RegExp; says: string }[] = [
  { pattern: /\b(schedul\w*|cron|nightly|hourly|every (day|night|hour|week|morning)|timer)\b/i, says: 'runs on a schedule' },
  { pattern: /\b(event[- ]driven|queue[sd]?|message queue|triggered by|on each event|when an event)\b/i, says: 'is event-driven' },
  {
    pattern:
      /\b(file processing|process(es|ing)? (the |uploaded |incoming )?(files?|uploads?|csvs?|images?|documents?)|(files?|uploads?|csvs?|images?) (are|is) (processed|parsed|converted|resized))\b/i,
    says: 'processes files',
  },
  { pattern: /\b(batch job|etl|ingest(s|ion)?)\b/i, says: 'is batch work' },
];

const PYTHON_SIGNALS = /\b(python|fastapi|pandas|numpy|scikit|django|flask|jupyter)\b/i;

/** Verbs after which a requirement names a thing the app keeps ("users can track expenses"). */
const NOUN_AFTER_VERB =
  /\b(?:manage|track|store|record|list|create|add|edit|browse|view|book|submit|log|register|upload|invite|approve|organi[sz]e|keep)s?\s+(?:(?:their|the|a|an|all|new|each|every|own|his|her|our|your|of|and)\s+)*([a-z][a-z-]+)/gi;
const NOT_ENTITIES = new Set(['data', 'information', 'it', 'them', 'things', 'stuff', 'details', 'status', 'progress', 'time', 'changes', 'reports', 'report']);

const ENTITIES_LINE = /^\s*entit(?:y|ies)\s*:\s*(.+)$/i;
const STACK_LINE = /^\s*stack\s*:\s*(.+)$/i;
const TEMPLATE_LINE = /^\s*template\s*:\s*(.+)$/i;

/** English plurals well enough for nouns in requirements: categories → category, boxes → box, expenses → expense. */
const singular = (word: string): string => {
  if (/ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(sses|xes|ches|shes|zzes)$/.test(word)) return word.slice(0, -2);
  return word.replace(/s$/, '');
};
const pascal = (word: string): string =>
  word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join('');
const snake = (words: string): string =>
  words
    .trim()
    .toLowerCase()
    .replace(/^(a|an|the|their|its)\s+/, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, 'f_$1')
    .slice(0, 40);

/** A field's type from its name: dates, money and measures, counts, flags, long text, else a string. */
export function fieldTypeOf(name: string): FieldType {
  if (/(_at|_on|_date|^date|deadline|^due|_time)$|^(date|due)_/.test(name)) return 'datetime';
  if (/(count|quantity|qty|number_of|age|year|minutes|hours|days|capacity)/.test(name)) return 'integer';
  if (/(amount|price|total|cost|balance|rate|score|weight|latitude|longitude|budget)/.test(name)) return 'number';
  if (/^(is_|has_)|^(active|done|completed|enabled|paid|archived|published)$/.test(name)) return 'boolean';
  if (/(description|notes?|body|content|comment|summary)$/.test(name)) return 'text';
  return 'string';
}

const fieldOf = (name: string, type: FieldType = fieldTypeOf(name), required = type !== 'text'): EntityField => ({ name, type, required });
const DEFAULT_FIELDS: readonly EntityField[] = [fieldOf('name'), fieldOf('description')];

const usable = (name: string): boolean => /^[a-z][a-z0-9_]{0,39}$/.test(name) && !(GENERATED_FIELDS as readonly string[]).includes(name);

/** `Customer(name, email, joined_on:datetime, notes?)`: a field list with optional types; `?` marks an optional field. */
function explicitFields(list: string): EntityField[] {
  const fields: EntityField[] = [];
  for (const raw of list.split(',')) {
    const [rawName = '', rawType] = raw.split(':').map((s) => s.trim());
    const optional = rawName.endsWith('?');
    const name = snake(rawName.replace(/\?$/, ''));
    if (!usable(name) || fields.some((f) => f.name === name)) continue;
    const type = (FIELD_TYPES as readonly string[]).includes(rawType ?? '') ? (rawType as FieldType) : fieldTypeOf(name);
    fields.push(fieldOf(name, type, !optional));
  }
  return fields;
}

/** `entities: Customer(name, email), Order(total:number)`: entities named outright. */
function explicitEntities(line: string): Entity[] {
  const entities: Entity[] = [];
  for (const match of line.matchAll(/([A-Za-z][\w ]*?)\s*(?:\(([^)]*)\))?\s*(?:,|$)/g)) {
    const name = pascal(singular((match[1] ?? '').trim()));
    if (!name || entities.some((e) => e.name === name)) continue;
    const fields = match[2] ? explicitFields(match[2]) : [];
    entities.push({ name, fields: fields.length > 0 ? fields : [...DEFAULT_FIELDS] });
  }
  return entities;
}

/** "… with a title, an amount and a due date": the fields a requirement gives the thing it names. */
function fieldsAfter(text: string): EntityField[] {
  const list = /\bwith\s+(.+?)(?:[.;]|$)/i.exec(text)?.[1];
  if (!list) return [];
  // Prose says nothing of optional fields: long text is optional, the rest required.
  return explicitFields(list.replace(/\band\b/gi, ',')).map((f) => fieldOf(f.name, f.type));
}

function entitiesFromNouns(lines: readonly string[]): Entity[] {
  const entities: Entity[] = [];
  for (const text of lines) {
    for (const match of text.matchAll(NOUN_AFTER_VERB)) {
      const noun = (match[1] ?? '').toLowerCase();
      if (NOT_ENTITIES.has(noun) || noun.length < 3) continue;
      const name = pascal(singular(noun));
      if (!/^[A-Z][A-Za-z0-9]{0,39}$/.test(name) || entities.some((e) => e.name === name)) continue;
      const fields = fieldsAfter(text.slice((match.index ?? 0) + match[0].length));
      entities.push({ name, fields: fields.length > 0 ? fields : [...DEFAULT_FIELDS] });
      if (entities.length === 5) return entities;
    }
  }
  return entities;
}

const quote = (text: string): string => (text.length > 80 ? `"${text.slice(0, 77)}…"` : `"${text}"`);

/** The specification by rules alone: deterministic for an idea (and a stack the build insists on). */
export function architectByRules(idea: IdeaBrief, insisted?: Stack): ArchitectureSpec {
  const lines = [...idea.requirements, idea.description];
  const rationale: Rationale[] = [];

  // Stack: what the build insists on, else an explicit line, else Python's words, else Node.
  const stackLine = lines.map((l) => STACK_LINE.exec(l)?.[1]?.trim().toLowerCase()).find(Boolean);
  const named = stackLine ? Stack.options.find((s) => s === stackLine || s.startsWith(stackLine.split(/\W/)[0] || '-')) : undefined;
  const pythonSaid = lines.find((l) => PYTHON_SIGNALS.test(l));
  const stack: Stack = insisted ?? named ?? (pythonSaid ? 'python-fastapi' : 'node-typescript');
  rationale.push({
    topic: 'stack',
    reason: insisted
      ? `the build asked for ${insisted}`
      : named
        ? `the requirements name it (${quote(stackLine ?? '')})`
        : pythonSaid
          ? `the requirements speak of Python's world (${quote(pythonSaid)})`
          : 'Node.js and TypeScript by default: nothing in the requirements asks for Python',
  });

  // Template: an explicit line, else work on a schedule, an event or a file → functions with storage, else a web app with SQL.
  const templateLine = lines.map((l) => TEMPLATE_LINE.exec(l)?.[1]?.trim().toLowerCase()).find(Boolean);
  const namedTemplate = Template.options.find((t) => t === templateLine);
  const signal = FUNCTION_SIGNALS.map(({ pattern, says }) => ({ says, line: lines.find((l) => pattern.test(l)) })).find((s) => s.line !== undefined);
  const template: Template = namedTemplate ?? (signal ? 'function-app-storage' : 'web-app-sql');
  rationale.push({
    topic: 'template',
    reason: namedTemplate
      ? `the requirements name it (${quote(templateLine ?? '')})`
      : signal
        ? `function-app-storage: the idea ${signal.says} (${quote(signal.line ?? '')})`
        : 'web-app-sql: an HTTP API over relational data; nothing runs on a schedule, an event or a file',
  });

  const services = servicesOf(template);
  rationale.push({ topic: 'services', reason: `the ${template} template's services: ${services.map((s) => s.kind).join(', ')}` });
  const skus = skusOf(template);
  const sized = (env: keyof typeof skus) => skus[env].map((c) => `${c.service} ${c.sku}${c.instances > 1 ? ` ×${c.instances}` : ''}`).join(', ');
  rationale.push({ topic: 'skus', reason: `from the catalogue per environment: dev ${sized('dev')}; staging ${sized('staging')}; prod ${sized('prod')}` });

  // Entities: an explicit line wins, else the nouns the requirements keep, else one Item.
  const entityLine = lines.map((l) => ENTITIES_LINE.exec(l)?.[1]).find(Boolean);
  const explicit = entityLine ? explicitEntities(entityLine).slice(0, 10) : [];
  const fromNouns = explicit.length > 0 ? [] : entitiesFromNouns(lines);
  const entities: Entity[] = explicit.length > 0 ? explicit : fromNouns.length > 0 ? fromNouns : [{ name: 'Item', fields: [...DEFAULT_FIELDS] }];
  rationale.push({
    topic: 'entities',
    reason:
      explicit.length > 0
        ? `named in the requirements: ${entities.map((e) => e.name).join(', ')}`
        : fromNouns.length > 0
          ? `the things the requirements keep: ${entities.map((e) => e.name).join(', ')}`
          : 'the requirements name nothing the app keeps: one Item with a name and a description',
  });
  rationale.push({ topic: 'auth', reason: 'api-key: a service API called by programs; the key is compared timing-safe' });

  return ArchitectureSpec.parse({ stack, template, services, skus, entities, auth_pattern: 'api-key', rationale });
}

const SYSTEM_PROMPT = `You are the build architect of an automated build pipeline. Given an idea and a catalogue, answer with one JSON
object {"spec": <architecture specification>} that follows output_schema exactly. Choose the stack and the template from the
catalogue (function-app-storage for work run on a schedule, an event or a file; web-app-sql for an HTTP API over relational
data); list exactly the template's services with their resource types; give each environment exactly the catalogue's SKUs
for the template; name the entities the app keeps (PascalCase) with lower snake case fields (never id or audit fields);
auth_pattern api-key; a rationale entry per topic. Answer with JSON only.`;

/** Asks the model; returns its specification when it passes the schema and the catalogue, else why it does not. */
async function askModel(
  settings: LlmSettings,
  idea: IdeaBrief,
  insisted: Stack | undefined,
  signal: AbortSignal,
): Promise<{ spec: ArchitectureSpec } | { refused: string }> {
  const chat = await createChatClient(settings);
  const request = {
    idea,
    ...(insisted ? { stack: insisted } : {}),
    catalogue: { stacks: STACK_ROWS, templates: TEMPLATE_ROWS, services: SERVICES, skus: SKUS },
    output_schema: z.toJSONSchema(ArchitectureSpec, { io: 'input' }),
  };
  let content: string;
  try {
    content = await askForJson(chat, SYSTEM_PROMPT, request, signal);
  } catch (error) {
    // A cancelled run or a shutdown stops the agent; anything else is the model not answering, and the rules stand.
    if (signal.aborted) throw signal.reason;
    return { refused: `no answer from ${chat.describe}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const answer = parseJsonLoosely(content);
  const candidate = answer !== null && typeof answer === 'object' && 'spec' in answer ? answer.spec : answer;
  const parsed = ArchitectureSpec.safeParse(candidate);
  if (!parsed.success) {
    return {
      refused: `the answer does not fit the specification's schema: ${issuesOf(parsed.error)
        .map((i) => `${i.path || '(root)'} ${i.message}`)
        .join('; ')}`,
    };
  }
  const findings = catalogueFindings(parsed.data);
  if (insisted && parsed.data.stack !== insisted) findings.push(`stack: the build asked for ${insisted}, not ${parsed.data.stack}`);
  if (findings.length > 0) return { refused: `the answer is outside the catalogue: ${findings.join('; ')}` };
  return { spec: parsed.data };
}

export interface ArchitectOptions {
  /** The model to ask; undefined: the rules decide alone. */
  llm?: LlmSettings | undefined;
  insisted?: Stack | undefined;
  signal: AbortSignal;
}

/** The rules' specification, or the model's when one is configured and its answer passes the schema and the catalogue. */
export async function architect(idea: IdeaBrief, { llm, insisted, signal }: ArchitectOptions): Promise<ArchitectureDecision> {
  const rules = architectByRules(idea, insisted);
  if (!llm) return { spec: rules, decided_by: 'rules' };
  const model = `llm:${modelOf(llm)}`;
  const answer = await askModel(llm, idea, insisted, signal);
  return 'spec' in answer ? { spec: answer.spec, decided_by: 'model', model } : { spec: rules, decided_by: 'rules', model, model_refused: answer.refused };
}
