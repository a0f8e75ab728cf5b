/**
 * The Python stack's generator (FastAPI 0.92 + pydantic 1 + sqlite3, pytest with coverage, mypy): from the
 * architecture's entities to a runnable application with its tests, OpenAPI file, docs and manifest. Pure and
 * deterministic: the same request gives the same bytes.
 */
import { APP_MANIFEST_FILE, type AppManifest } from '../../app/contracts.js';
import type { CodegenRequest, GeneratedApp, StackGenerator } from '../contracts.js';
import { json, render } from '../render.js';
import { apiDoc, openApi } from './docs.js';
import { docText, oneLine, pyEntity, pyLiteral, type PyEntity } from './model.js';
import * as app from './templates.js';
import * as tests from './test-templates.js';

/** Where the app's tests write their lcov (the manifest's coverage path). */
const LCOV_PATH = 'coverage/lcov.info';

/**
 * The Debian 12 packages the app was generated against (this machine's /usr/bin/python3). Debian's FastAPI 0.92
 * runs on its Starlette 0.26.1 although upstream 0.92 asks for <0.26, so Starlette is left to pip's resolver.
 */
const REQUIREMENTS = `# Pinned to the versions Debian 12 (bookworm) packages (python3-fastapi, python3-pydantic, python3-uvicorn,
# python3-httpx, python3-pytest, python3-pytest-cov, python3-coverage, python3-mypy): the build machine runs and
# tests this app with those, not with packages from PyPI. Debian's fastapi 0.92 runs on its starlette 0.26.1.
fastapi==0.92.0
pydantic==1.10.4
uvicorn==0.17.6
httpx==0.23.3
pytest==7.2.1
pytest-cov==4.0.0
coverage==6.5.0
mypy==1.0.1
`;

const MYPY_INI = `[mypy]
python_version = 3.11
strict = True
warn_unreachable = True
plugins = pydantic.mypy

[pydantic-mypy]
init_forbid_extra = True
init_typed = True
warn_required_dynamic_aliases = True
warn_untyped_fields = True

# Debian's uvicorn 0.17 and coverage 6.5 ship no type information (no py.typed): the calls into them go unchecked.
[mypy-uvicorn]
ignore_missing_imports = True

[mypy-coverage.*]
ignore_missing_imports = True
`;

// The cache plugin is off so a test run leaves nothing in the checkout but coverage/ and .coverage.
const PYTEST_INI = `[pytest]
testpaths = tests
pythonpath = .
addopts = -p no:cacheprovider
`;

/** The migrations: one numbered file per entity, in the specification's order. */
const migrationName = (entity: PyEntity, index: number): string => `${String(index + 1).padStart(4, '0')}_create_${entity.table}.sql`;

function manifestOf(request: CodegenRequest, entities: PyEntity[]): AppManifest {
  return {
    name: request.app_name,
    stack: 'python-fastapi',
    // No build step: Python runs from the checkout.
    typecheck: { argv: ['{python}', '-m', 'mypy', 'app', 'scripts', 'tests'], env: {} },
    // Bytecode caches stay out of the checkout (a deploy's checkout is the commit, nothing else).
    test: { argv: ['{python}', 'scripts/run_tests.py'], env: { PYTHONDONTWRITEBYTECODE: '1' } },
    // The whole package is the source: a module the model adds is counted too.
    coverage: { format: 'lcov', path: LCOV_PATH, source: ['app/'] },
    migrate: { argv: ['{python}', '-m', 'app.migrate'], env: { PYTHONDONTWRITEBYTECODE: '1' } },
    start: { argv: ['{python}', '-m', 'app'], env: { PYTHONDONTWRITEBYTECODE: '1' } },
    collections: entities.map((entity) => ({ entity: entity.name, path: entity.path, sample: entity.sample, update: entity.update })),
  };
}

/**
 * `variant.tests: 'few'` writes only the health test (line coverage far below the gate's 80%). `variant.defect` is
 * ignored here: the Node stack carries the deploy fault variants, and the Python app is always the sound one.
 */
export const pythonGenerator: StackGenerator = (request: CodegenRequest): GeneratedApp => {
  const entities = request.spec.entities.map(pyEntity);
  const title = oneLine(request.idea.title) || request.app_name;
  const view = { title: docText(title), titleLiteral: pyLiteral(title), buildId: docText(oneLine(request.build_id, 100)), appName: request.app_name, entities };
  const few = request.variant.tests === 'few';

  const source: Record<string, string> = {
    'app/__init__.py': render(app.INIT_PY, view, 'app/__init__.py'),
    'app/__main__.py': render(app.MAIN_MODULE_PY, view, 'app/__main__.py'),
    'app/config.py': render(app.CONFIG_PY, view, 'app/config.py'),
    'app/database.py': render(app.DATABASE_PY, view, 'app/database.py'),
    'app/dependencies.py': render(app.DEPENDENCIES_PY, view, 'app/dependencies.py'),
    'app/main.py': render(app.MAIN_PY, view, 'app/main.py'),
    'app/migrate.py': render(app.MIGRATE_PY, view, 'app/migrate.py'),
    'app/models.py': render(app.MODELS_PY, view, 'app/models.py'),
    'app/repositories.py': render(app.REPOSITORIES_PY, view, 'app/repositories.py'),
    'app/routes.py': render(app.ROUTES_PY, view, 'app/routes.py'),
    'app/server.py': render(app.SERVER_PY, view, 'app/server.py'),
    'app/services.py': render(app.SERVICES_PY, view, 'app/services.py'),
    'app/timestamps.py': render(app.TIMESTAMPS_PY, view, 'app/timestamps.py'),
  };
  const files: Record<string, string> = { ...source };
  entities.forEach((entity, index) => {
    files[`app/migrations/${migrationName(entity, index)}`] = render(app.MIGRATION_SQL, { entity }, 'migration');
  });

  const testView = { ...view, few, migrationCount: entities.length, literal: pyLiteral };
  files['tests/__init__.py'] = '"""The app\'s tests (pytest; FastAPI\'s TestClient over httpx; a real SQLite file per test)."""\n';
  files['tests/conftest.py'] = render(tests.CONFTEST_PY, testView, 'tests/conftest.py');
  files['tests/test_app.py'] = render(tests.TEST_APP_PY, testView, 'tests/test_app.py');
  if (!few) {
    files['tests/test_timestamps.py'] = render(tests.TEST_TIMESTAMPS_PY, testView, 'tests/test_timestamps.py');
    for (const entity of entities)
      files[`tests/test_${entity.table}.py`] = render(tests.TEST_ENTITY_PY, { ...testView, entity }, `tests/test_${entity.table}.py`);
  }
  files['scripts/run_tests.py'] = render(tests.RUN_TESTS_PY, testView, 'scripts/run_tests.py');

  files['mypy.ini'] = MYPY_INI;
  files['pytest.ini'] = PYTEST_INI;
  files['requirements.txt'] = REQUIREMENTS;
  files['openapi.json'] = json(openApi(title, oneLine(request.idea.description, 500), entities));
  files['docs/API.md'] = apiDoc(request, title, entities);

  const manifest = manifestOf(request, entities);
  files[APP_MANIFEST_FILE] = json(manifest);

  const sorted = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((path) => [path, files[path] as string]),
  );
  return { stack: 'python-fastapi', files: sorted, manifest, written_by: 'templates' };
};
