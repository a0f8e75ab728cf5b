// Lint with type information; the layer rules keep imports pointing downwards and no module imports itself back (see docs/ARCHITECTURE.md).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }] },
});

/**
 * Cycles through type imports too: import-x/no-cycle skips `import type`, and a type cycle still
 * ties two modules' shapes together (store/schema.ts and the retail schema were one). The import
 * graph of src/ is read once per lint run from the files' import/export-from statements.
 */
const SRC = join(import.meta.dirname, 'src');
let cyclesByFile;
function typeInclusiveCycles() {
  if (cyclesByFile) return cyclesByFile;
  const files = readdirSync(SRC, { recursive: true })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(SRC, f));
  const known = new Set(files);
  const edges = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*['"](\.[^'"]+)['"]/g)]
      .map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))
      .filter((t) => known.has(t));
    edges.set(file, targets);
  }
  // Tarjan's strongly connected components: every file in a component of two or more is on a cycle.
  cyclesByFile = new Map();
  let index = 0;
  const stack = [];
  const meta = new Map();
  const connect = (v) => {
    meta.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of edges.get(v)) {
      if (!meta.has(w)) {
        connect(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).onStack) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
    }
    if (meta.get(v).low === meta.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) for (const f of component) cyclesByFile.set(f, component.map((c) => relative(SRC, c)).sort());
    }
  };
  for (const file of files) if (!meta.has(file)) connect(file);
  return cyclesByFile;
}

const batonPlugin = {
  rules: {
    'no-type-cycle': {
      meta: { type: 'problem', messages: { cycle: 'import cycle (type imports included) through: {{files}}' }, schema: [] },
      create(context) {
        return {
          Program(node) {
            const cycle = typeInclusiveCycles().get(context.physicalFilename);
            if (cycle) context.report({ node, messageId: 'cycle', data: { files: cycle.join(', ') } });
          },
        };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/peers/', 'scratch/', 'data/', 'coverage/', 'web/dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // No cycles in src/: import-x/no-cycle for value imports (with the module each one goes through), baton/no-type-cycle counting type imports too.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX, baton: batonPlugin },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })] },
    rules: { 'import-x/no-cycle': 'error', 'baton/no-type-cycle': 'error' },
  },
  layer(['src/errors/**'], ['**/store/**', '**/engine/**', '**/telemetry/**', '**/server/**', '**/cli/**', '**/workflows/**'], 'errors/ is the bottom layer'),
  layer(['src/store/**'], ['**/engine/**', '**/telemetry/**', '**/server/**', '**/cli/**', '**/workflows/**'], 'store/ may not import the layers above it'),
  layer(
    ['src/engine/**'],
    [
      '**/server/**',
      '**/cli/**',
      '**/workflows/**',
      '**/telemetry/**',
      '**/store/index.js',
      '**/store/sqlite/**',
      '**/store/postgres/**',
      'kysely',
      'better-sqlite3',
      'pg',
    ],
    'engine/ talks to the RunStore interface only, through store/types.ts (the barrel loads pg and better-sqlite3): no SQL, HTTP or workflow',
  ),
  layer(
    ['src/telemetry/**'],
    ['**/server/**', '**/cli/**', '**/workflows/**', '**/store/sqlite/**', '**/store/postgres/**', 'kysely', 'better-sqlite3', 'pg'],
    'telemetry/ watches the engine and the RunStore interface; the server and the CLI install it',
  ),
  layer(
    ['src/server/**'],
    ['**/cli/**', '**/workflows/**'],
    'server/ is the generic HTTP core: workflows bring their routes as modules (server/modules.ts), the CLI composes them',
  ),
  layer(
    ['src/workflows/**'],
    [
      '**/cli/**',
      '**/server/app.js',
      '**/server/auth.js',
      '**/server/limits.js',
      '**/server/routes/**',
      '**/server/stream/**',
      '**/store/sqlite/**',
      '**/store/postgres/**',
    ],
    'workflows/ use the engine, their own data on the store handle and the server helpers (schemas, views, errors, modules), never the CLI or the internals of the server',
  ),
  layer(
    ['src/forecasting/**'],
    ['**/store/**', '**/engine/**', '**/server/**', '**/cli/**', '**/workflows/**', '**/llm/**', 'node:*', 'fs', 'path'],
    'forecasting/ is a pure numeric library: arrays in, forecasts out, no I/O',
  ),
  layer(
    ['src/allocation/**', 'src/pricing/**'],
    ['**/store/**', '**/engine/**', '**/server/**', '**/cli/**', '**/workflows/**', '**/llm/**', 'node:*', 'fs', 'path'],
    'allocation/ and pricing/ are pure numeric libraries: no I/O',
  ),
  layer(
    ['src/actors/**'],
    ['**/engine/**', '**/telemetry/**', '**/server/**', '**/cli/**', '**/workflows/**', '**/store/sqlite/**', '**/store/postgres/**'],
    'actors/ (people, roles, tokens) sits on the store handle; the engine reads only its contracts, the server authenticates with it',
  ),
  layer(
    ['src/llm/**'],
    ['**/store/**', '**/engine/**', '**/server/**', '**/cli/**', '**/workflows/**'],
    'llm/ (parameter extraction) sits below the engine and knows nothing of runs, SQL or HTTP routes',
  ),
  {
    // The contract modules are bundled into the dashboard: zod, each other, and the two import-free modules they build on.
    // After the layer blocks on purpose: for these files this stricter list replaces their layer's (one no-restricted-imports per file wins).
    files: ['src/**/contracts.ts', 'src/server/schemas.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(?!zod$|\\.{1,2}/(?:.+/)?contracts\\.js$|\\.\\./errors/index\\.js$|\\.\\./engine/contracts\\.js$|\\./season-parameters\\.js$|\\.\\./\\.\\./llm/season-parameters\\.js$|\\.\\./\\.\\./engine/contracts\\.js$|\\.\\./llm/contracts\\.js$).*',
              message: 'a contract module is pure: zod, other contracts, src/errors/index.ts and src/llm/season-parameters.ts only (the dashboard bundles it)',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard runs in the browser (web/tsconfig.json gives it the DOM types) and reaches the server only over HTTP and WebSocket.
    files: ['web/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Except the pure zod contracts (src/**/contracts.ts) and the API's shapes (src/server/schemas.ts), declared once for both sides.
              regex: '^(\\.\\./)+(?!src/server/schemas\\.js$)(?!src/(?:[\\w-]+/)*contracts\\.js$)(src|dist|test|bench|bin)(/|$)',
              message: 'web/ talks to the server only over HTTP/WebSocket: it may import only src/**/contracts.ts and src/server/schemas.ts of the server code',
            },
            {
              group: ['node:*', 'fs', 'path', 'fastify', '@fastify/*', 'better-sqlite3', 'pg', 'kysely'],
              message: 'web/ runs in the browser: no Node or server packages',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
