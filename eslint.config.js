// Lint with type information; the layer rules keep imports pointing downwards (see docs/ARCHITECTURE.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }] },
});

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
  layer(['src/errors/**'], ['**/store/**', '**/engine/**', '**/server/**', '**/cli/**', '**/workflows/**'], 'errors/ is the bottom layer'),
  layer(['src/store/**'], ['**/engine/**', '**/server/**', '**/cli/**', '**/workflows/**'], 'store/ may not import the layers above it'),
  layer(
    ['src/engine/**'],
    ['**/server/**', '**/cli/**', '**/workflows/**', '**/store/sqlite/**', '**/store/postgres/**', 'kysely', 'better-sqlite3', 'pg'],
    'engine/ talks to the Store interface only: no SQL, HTTP or retail',
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
    ['src/llm/**'],
    ['**/store/**', '**/engine/**', '**/server/**', '**/cli/**', '**/workflows/**'],
    'llm/ (parameter extraction) sits below the engine and knows nothing of runs, SQL or HTTP routes',
  ),
  {
    // The dashboard runs in the browser (web/tsconfig.json gives it the DOM types) and reaches the server only over HTTP and WebSocket.
    files: ['web/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(src|dist|test|bench|bin)(/|$)',
              message: 'web/ talks to the server only over HTTP/WebSocket: it may not import the server code',
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
