/**
 * The Python stack's generator (FastAPI + pydantic 1 + sqlite3, pytest with coverage): from the architecture's
 * entities to a runnable application and its manifest. Pure and deterministic: same request, same bytes.
 */
import type { AppManifest } from '../../app/contracts.js';
import type { CodegenRequest, GeneratedApp, StackGenerator } from '../contracts.js';

const snake = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

function manifestOf(request: CodegenRequest): AppManifest {
  return {
    name: request.app_name,
    stack: 'python-fastapi',
    typecheck: { argv: ['{python}', '-m', 'mypy', 'app'], env: {} },
    test: { argv: ['{python}', 'scripts/test.py'], env: { PYTHONDONTWRITEBYTECODE: '1' } },
    coverage: { format: 'lcov', path: 'coverage/lcov.info', source: ['app/main.py'] },
    migrate: { argv: ['{python}', '-m', 'app.migrate'], env: {} },
    start: { argv: ['{python}', '-m', 'app'], env: {} },
    collections: request.spec.entities.map((entity) => ({ entity: entity.name, path: `/api/${snake(entity.name)}s`, sample: {}, update: {} })),
  };
}

/** Work in progress: the manifest only (the application's files follow). */
export const pythonGenerator: StackGenerator = (request: CodegenRequest): GeneratedApp => {
  const manifest = manifestOf(request);
  return { stack: 'python-fastapi', files: { 'baton-app.json': `${JSON.stringify(manifest, null, 2)}\n` }, manifest, written_by: 'templates' };
};
