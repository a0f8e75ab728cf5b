/**
 * The build pipeline's shapes as zod schemas, with no server or Node code, so the dashboard can import them:
 * an idea (intake), the architecture specification (the architect's answer) and a build's parameters.
 */
import { z } from 'zod';

/** An idea is built only when its viability score is above this (85 or less is refused, with the score and this threshold). */
export const VIABILITY_THRESHOLD = 85;

export const STACKS = ['node-typescript', 'python-fastapi'] as const;
export const Stack = z.enum(STACKS);
export type Stack = z.infer<typeof Stack>;

export const TEMPLATES = ['web-app-sql', 'function-app-storage'] as const;
export const Template = z.enum(TEMPLATES);
export type Template = z.infer<typeof Template>;

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export const Environment = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof Environment>;

/** The services a template may hold (their Azure resource types are in catalogue.ts). */
export const SERVICE_KINDS = ['app-service-plan', 'web-app', 'sql-server', 'sql-database', 'function-app', 'storage-account'] as const;
export const ServiceKind = z.enum(SERVICE_KINDS);
export type ServiceKind = z.infer<typeof ServiceKind>;

/** Only API keys for now (compared timing-safe by the generated app). */
export const AUTH_PATTERNS = ['api-key'] as const;
export const AuthPattern = z.enum(AUTH_PATTERNS);
export type AuthPattern = z.infer<typeof AuthPattern>;

// ---- intake ---------------------------------------------------------------------------------

const line = z.string().trim().min(1).max(1_000);

/** What a client sends to add an idea: a misspelled field is refused, not dropped. */
export const IdeaInput = z.strictObject({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(10_000),
  requirements: z.array(line).max(100).default([]),
  research_findings: z.array(line).max(100).default([]),
  viability_score: z.number().min(0).max(100),
  /** Who argues for the idea (a person's name or actor id); the Champion approves its production deploy later. */
  champion: z.string().trim().min(1).max(200),
});
export type IdeaInput = z.input<typeof IdeaInput>;

export const IdeaId = z.string().min(1).max(200);

/** An idea as stored and answered (open: an answer may carry more than a client sends). */
export const Idea = z.object({
  ...IdeaInput.shape,
  id: IdeaId,
  /** The actor who added it (null: added with no actor, e.g. from the CLI before actors). */
  created_by: z.string().nullable(),
  created_at: z.iso.datetime(),
});
export type Idea = z.output<typeof Idea>;

/** Whether an idea may be built: its score above the threshold. */
export const buildable = (score: number, threshold = VIABILITY_THRESHOLD): boolean => score > threshold;

// ---- architecture -----------------------------------------------------------------------------

/** Field types the code generator maps to each stack's types and SQL columns. */
export const FIELD_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'datetime'] as const;
export const FieldType = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldType>;

/** Names the generator adds to every model itself (the id and the audit fields), so an entity may not declare them. */
export const GENERATED_FIELDS = ['id', 'created_at', 'updated_at', 'created_by', 'updated_by'] as const;

export const EntityField = z.object({
  // Identifiers in code and SQL on both stacks: lower snake case.
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower snake case, starting with a letter, up to 40 characters')
    .refine((name) => !(GENERATED_FIELDS as readonly string[]).includes(name), 'is a field the generator adds itself'),
  type: FieldType,
  required: z.boolean(),
});
export type EntityField = z.infer<typeof EntityField>;

export const Entity = z.object({
  name: z.string().regex(/^[A-Z][A-Za-z0-9]{0,39}$/, 'PascalCase, starting with a capital letter, up to 40 characters'),
  fields: z
    .array(EntityField)
    .min(1)
    .max(30)
    .refine((fields) => new Set(fields.map((f) => f.name)).size === fields.length, 'names a field twice'),
});
export type Entity = z.infer<typeof Entity>;

export const ServiceSpec = z.object({
  kind: ServiceKind,
  /** The Azure resource type the infrastructure stage writes (from the catalogue). */
  resource_type: z.string().min(1),
  purpose: z.string().min(1),
});
export type ServiceSpec = z.infer<typeof ServiceSpec>;

/** One service's size in one environment. */
export const SkuChoice = z.object({
  service: ServiceKind,
  sku: z.string().min(1),
  tier: z.string().min(1),
  /** Instances of the plan (the local target runs this many behind its router). */
  instances: z.number().int().min(1).max(10),
});
export type SkuChoice = z.infer<typeof SkuChoice>;

export const RATIONALE_TOPICS = ['stack', 'template', 'services', 'skus', 'entities', 'auth'] as const;
export const Rationale = z.object({ topic: z.enum(RATIONALE_TOPICS), reason: z.string().min(1).max(2_000) });

export const ArchitectureSpec = z.object({
  stack: Stack,
  template: Template,
  services: z.array(ServiceSpec).min(1),
  skus: z.object({ dev: z.array(SkuChoice).min(1), staging: z.array(SkuChoice).min(1), prod: z.array(SkuChoice).min(1) }),
  entities: z
    .array(Entity)
    .min(1)
    .max(10)
    .refine((entities) => new Set(entities.map((e) => e.name)).size === entities.length, 'names an entity twice'),
  auth_pattern: AuthPattern,
  /** Why each choice was made, one entry per topic at least. */
  rationale: z.array(Rationale).min(1),
});
export type ArchitectureSpec = z.infer<typeof ArchitectureSpec>;

/** The architecture phase's output: the specification and who decided it (the rules, or the model when its answer passed). */
export const ArchitectureDecision = z.object({
  spec: ArchitectureSpec,
  decided_by: z.enum(['rules', 'model']),
  /** The model asked (when one was), e.g. `llm:gpt-4o-mini`. */
  model: z.string().optional(),
  /** Why the model's answer was not taken (schema or catalogue failure, or no answer), when the rules stood after asking it. */
  model_refused: z.string().optional(),
});
export type ArchitectureDecision = z.infer<typeof ArchitectureDecision>;

// ---- a build ------------------------------------------------------------------------------------

/**
 * What a generated app may be made to get wrong, on purpose: too few tests for the gate, or a defect that shows
 * only once deployed (so its own tests pass and the target's rollback is what catches it).
 */
export const FaultInjection = z.strictObject({
  tests: z.enum(['full', 'few']).default('full'),
  defect: z.enum(['none', 'crash-at-start', 'health-500', 'smoke-fails', 'migration-fails', 'crash-after-start']).default('none'),
});
export type FaultInjection = z.output<typeof FaultInjection>;

/** A build run's parameters: the idea, and the knobs of the stages (later stages read theirs from here). */
export const BuildParameters = z.strictObject({
  idea_id: IdeaId,
  /** A stack the caller insists on; unset: the architect chooses. */
  stack: Stack.optional(),
  /** How the architect works: `rules` always offline; `model` asks the configured model; unset: the model when one is configured. */
  architect: z.enum(['rules', 'model']).optional(),
  /** Quality gate: how many times a failing gate goes back to code generation before the build fails. */
  max_fix_rounds: z.number().int().min(0).max(10).default(2),
  /** Quality gate: the generated app's line coverage of its source must reach this. */
  min_line_coverage: z.number().min(0).max(100).default(80),
  /** Where it deploys: the local target (a router and blue/green slots on this machine) by default. */
  target: z.enum(['local', 'azure']).default('local'),
  /** The environments to deploy, in order (a build for dev alone stops after dev; prod is the one that needs approvals). */
  environments: z
    .array(Environment)
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'names an environment twice')
    .default(['dev', 'staging', 'prod']),
  /**
   * Fault injection for demos and the fault matrix, never needed otherwise: `tests: 'few'` generates too few tests for
   * the gate; `defect` generates a release that misbehaves once deployed (crashes at start, 500 on /health, fails a
   * smoke test or its migration, crashes after the switch), so the target's rollback can be seen and tested.
   */
  inject: FaultInjection.optional(),
});
export type BuildParameters = z.output<typeof BuildParameters>;

/** What a client may send to start a build of an idea (the idea comes from the path). */
export const StartBuild = BuildParameters.omit({ idea_id: true }).extend({
  /** The same key returns the same build instead of starting another. */
  idempotency_key: z.string().min(1).max(200).optional(),
});

/** The intake phase's output: the idea as read when the build started, and the verdict. */
export const IntakeVerdict = z.object({
  idea: Idea,
  /** When the build was taken in: every commit of the build is dated from it, so a re-run makes the same SHAs. */
  started_at: z.iso.datetime(),
  threshold: z.number(),
  accepted: z.boolean(),
  reason: z.string(),
});
export type IntakeVerdict = z.infer<typeof IntakeVerdict>;

/** A build as the intake routes answer it. */
export const BuildView = z.object({
  run_id: z.string(),
  idea_id: IdeaId,
  state: z.string(),
  phase: z.string().nullable(),
  created_at: z.iso.datetime(),
});
export type BuildView = z.infer<typeof BuildView>;

// ---- the stages ------------------------------------------------------------------------------------

/**
 * The build's phases in order. Approvals are asked per environment before its deploy: dev's and staging's are
 * skipped with the reason (only prod needs people); prod's needs a Lead Builder and a Champion, two people.
 */
export const BUILD_PHASES = [
  'intake',
  'architecture',
  'repository',
  'codegen',
  'quality_gate',
  'merge',
  'infrastructure',
  'approve_dev',
  'deploy_dev',
  'approve_staging',
  'deploy_staging',
  'approve_prod',
  'deploy_prod',
  'handoff',
] as const;
export type BuildPhase = (typeof BUILD_PHASES)[number];

/** The roles of the production approval (actors hold them: `baton actors add ana --role lead-builder`). */
export const LEAD_BUILDER_ROLE = 'lead-builder';
export const CHAMPION_ROLE = 'champion';
