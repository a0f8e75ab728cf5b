/**
 * The Python application's tests (pytest, FastAPI's TestClient over httpx, a real SQLite file per test) and the
 * script that runs them with coverage, as eta templates. `it.few` writes only the health test (the gate's
 * too-few-tests case).
 */

export const CONFTEST_PY = String.raw`"""Fixtures: a migrated SQLite file per test, and clients with and without the API key."""
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Config
from app.main import create_app
from app.migrate import apply_migrations

API_KEY = "test-key"
VERSION = "test-version"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    database_file = str(tmp_path / "app.sqlite")
    apply_migrations(database_file)
    return Config(api_key=API_KEY, database_file=database_file, host="127.0.0.1", port=8000, version=VERSION, environment="test")


@pytest.fixture
def client(config: Config) -> Iterator[TestClient]:
    with TestClient(create_app(config), headers={"x-api-key": API_KEY}) as client:
        yield client


@pytest.fixture
def anonymous(config: Config) -> Iterator[TestClient]:
    with TestClient(create_app(config)) as client:
        yield client
`;

export const TEST_APP_PY = String.raw`"""The app as a whole: health without a key, the key required elsewhere, configuration, serving and migrations."""
<% if (it.few) { -%>
from fastapi.testclient import TestClient

from tests.conftest import VERSION


def test_health_answers_ok_with_the_version_without_a_key(anonymous: TestClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": VERSION}
<% } else { -%>
import runpy
from pathlib import Path
from typing import Any, Dict, List

import pytest
from fastapi.testclient import TestClient

from app.config import ConfigError, load_config
from app.migrate import apply_migrations, main as migrate_main
from app.server import main as serve_main
from tests.conftest import VERSION

ENVIRON = {"API_KEY": "k", "DATABASE_FILE": "db.sqlite"}


def test_health_answers_ok_with_the_version_without_a_key(anonymous: TestClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": VERSION}


def test_routes_refuse_a_request_without_the_key(anonymous: TestClient) -> None:
    response = anonymous.get("<%= it.entities[0].path %>")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "ApiKey"


def test_routes_refuse_a_wrong_key(anonymous: TestClient) -> None:
    assert anonymous.get("<%= it.entities[0].path %>", headers={"x-api-key": "wrong"}).status_code == 401


def test_config_reads_the_environment_with_defaults() -> None:
    config = load_config(ENVIRON)
    assert (config.host, config.port, config.version, config.environment) == ("127.0.0.1", 8000, "dev", "dev")
    config = load_config({**ENVIRON, "HOST": "0.0.0.0", "PORT": "9001", "APP_VERSION": "abc123", "APP_ENVIRONMENT": "prod"})
    assert (config.host, config.port, config.version, config.environment) == ("0.0.0.0", 9001, "abc123", "prod")


def test_config_names_the_missing_settings() -> None:
    with pytest.raises(ConfigError, match="API_KEY, DATABASE_FILE"):
        load_config({})


@pytest.mark.parametrize("port", ["http", "0", "70000"])
def test_config_refuses_a_port_out_of_range(port: str) -> None:
    with pytest.raises(ConfigError, match="PORT"):
        load_config({**ENVIRON, "PORT": port})


def test_serving_runs_uvicorn_on_host_and_port() -> None:
    calls: List[Dict[str, Any]] = []
    assert serve_main({**ENVIRON, "HOST": "127.0.0.2", "PORT": "8123"}, run=lambda app, **options: calls.append(options)) == 0
    assert calls == [{"host": "127.0.0.2", "port": 8123, "log_level": "info"}]


def test_serving_exits_2_when_the_configuration_is_incomplete(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_main({}, run=lambda app, **options: None) == 2
    assert "missing environment variable(s): API_KEY, DATABASE_FILE" in capsys.readouterr().err


def test_python_dash_m_app_exits_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_KEY", raising=False)
    monkeypatch.delenv("DATABASE_FILE", raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("app", run_name="__main__")
    assert exited.value.code == 2


def test_migrations_apply_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database_file = str(tmp_path / "m.sqlite")
    assert migrate_main({"DATABASE_FILE": database_file}) == 0
    assert "<%= it.migrationCount %> applied" in capsys.readouterr().out
    assert apply_migrations(database_file) == []
    assert migrate_main({"DATABASE_FILE": database_file}) == 0
    assert "up to date" in capsys.readouterr().out


def test_migrate_needs_the_database_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert migrate_main({}) == 2
    assert "DATABASE_FILE" in capsys.readouterr().err


def test_a_failing_migration_is_rolled_back_and_not_recorded(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_ok.sql").write_text("CREATE TABLE kept (id INTEGER);")
    (migrations / "0002_bad.sql").write_text("CREATE TABLE half (id INTEGER); INSERT INTO missing VALUES (1);")
    database_file = str(tmp_path / "f.sqlite")
    with pytest.raises(Exception, match="missing"):
        apply_migrations(database_file, migrations)
    (migrations / "0002_bad.sql").write_text("CREATE TABLE half (id INTEGER);")
    assert apply_migrations(database_file, migrations) == ["0002_bad.sql"]
<% } -%>
`;

export const TEST_ENTITY_PY = String.raw`"""<%= it.entity.name %>: the CRUD round trip over <%= it.entity.path %>, validation and not-found answers."""
from typing import Any, Dict

from fastapi.testclient import TestClient

PATH = "<%= it.entity.path %>"
SAMPLE: Dict[str, Any] = <%= it.literal(it.entity.sample) %>
UPDATE: Dict[str, Any] = <%= it.literal(it.entity.update) %>


def create(client: TestClient) -> Dict[str, Any]:
    response = client.post(PATH, json=SAMPLE)
    assert response.status_code == 201, response.text
    body: Dict[str, Any] = response.json()
    return body


def test_create_answers_the_record_with_its_audit_fields(client: TestClient) -> None:
    body = create(client)
    assert {key: body[key] for key in SAMPLE} == SAMPLE
    assert isinstance(body["id"], int)
    assert body["created_by"] == body["updated_by"] == "api-key"
    assert body["created_at"] == body["updated_at"]
    assert client.get(f"{PATH}/{body['id']}").json() == body


def test_list_pages_through_the_records(client: TestClient) -> None:
    ids = [create(client)["id"] for _ in range(3)]
    assert [item["id"] for item in client.get(PATH).json()] == ids
    assert [item["id"] for item in client.get(PATH, params={"limit": 2, "offset": 1}).json()] == ids[1:]
    assert client.get(PATH, params={"limit": 0}).status_code == 422


def test_replace_changes_the_fields_and_the_updater(client: TestClient) -> None:
    created = create(client)
    response = client.put(f"{PATH}/{created['id']}", json=UPDATE, headers={"x-actor": "editor"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert {key: body[key] for key in UPDATE} == UPDATE
    assert (body["created_by"], body["updated_by"]) == ("api-key", "editor")
    assert body["created_at"] == created["created_at"]


def test_delete_removes_the_record(client: TestClient) -> None:
    created = create(client)
    assert client.delete(f"{PATH}/{created['id']}").status_code == 204
    assert client.get(f"{PATH}/{created['id']}").status_code == 404


def test_an_unknown_id_is_404(client: TestClient) -> None:
    assert client.get(f"{PATH}/999").status_code == 404
    assert client.put(f"{PATH}/999", json=UPDATE).status_code == 404
    assert client.delete(f"{PATH}/999").status_code == 404
    assert client.get(f"{PATH}/not-a-number").status_code == 422


def test_a_wrong_type_is_refused_with_the_field(client: TestClient) -> None:
<% for (const field of it.entity.fields) { -%>
    response = client.post(PATH, json={**SAMPLE, "<%= field.name %>": <%= it.literal(field.wrong) %>})
    assert response.status_code == 422
    assert ["body", "<%= field.name %>"] in [error["loc"] for error in response.json()["detail"]]
<% } -%>


def test_an_unknown_field_is_refused(client: TestClient) -> None:
    assert client.post(PATH, json={**SAMPLE, "unexpected": 1}).status_code == 422
<% if (it.entity.required.length > 0) { %>

def test_a_missing_required_field_is_refused(client: TestClient) -> None:
<% for (const field of it.entity.required) { -%>
    response = client.post(PATH, json={key: value for key, value in SAMPLE.items() if key != "<%= field.name %>"})
    assert response.status_code == 422
    assert ["body", "<%= field.name %>"] in [error["loc"] for error in response.json()["detail"]]
<% } -%>
<% } -%>
<% if (it.entity.optional.length > 0) { %>

def test_optional_fields_may_be_left_out(client: TestClient) -> None:
    response = client.post(PATH, json=<%= it.literal(it.entity.minimal) %>)
    assert response.status_code == 201, response.text
<% for (const field of it.entity.optional) { -%>
    assert response.json()["<%= field.name %>"] is None
<% } -%>
<% } -%>
`;

export const RUN_TESTS_PY = String.raw`"""Runs the app's tests with line and branch coverage (pytest-cov writes lcov at coverage/lcov.info), then rewrites
each file's line and function records from coverage.py's own analysis:
- coverage.py 6.5's lcov writer lists every executed line, docstrings too, so LH can exceed LF; DA, LF and LH are
  rewritten from the file's statements and its missing ones (branch records are kept as written);
- it writes no function records, so each function ast finds is counted as called when a statement of its body ran
  (FN/FNDA/FNF/FNH).
Exits with pytest's status."""
import ast
import sys
from pathlib import Path
from typing import List, Set, Tuple

import pytest
from coverage.control import Coverage

LCOV = Path("coverage/lcov.info")


def functions_of(source: str) -> List[Tuple[str, int, int, int]]:
    """(qualified name, def line, first body line, last line) of every function and method."""
    found: List[Tuple[str, int, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                found.append((name, child.lineno, child.body[0].lineno, child.end_lineno or child.lineno))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def rewrite(record: List[str], measured: Coverage) -> List[str]:
    source_file = next(line[3:] for line in record if line.startswith("SF:"))
    _, statements, _, missing, _ = measured.analysis2(source_file)
    ran: Set[int] = set(statements) - set(missing)
    functions = functions_of(Path(source_file).read_text(encoding="utf-8"))
    called = {name: any(first <= line <= last for line in ran) for name, _, first, last in functions}
    lines = [f"FN:{line},{name}" for name, line, _, _ in functions]
    lines += [f"FNDA:{1 if called[name] else 0},{name}" for name, _, _, _ in functions]
    lines += [f"FNF:{len(functions)}", f"FNH:{sum(called.values())}"]
    lines += [f"DA:{line},{1 if line in ran else 0}" for line in sorted(statements)]
    lines += [f"LF:{len(statements)}", f"LH:{len(ran)}"]
    kept = [line for line in record if line.startswith(("BRDA:", "BRF:", "BRH:"))]
    return ["TN:", f"SF:{source_file}", *lines, *kept, "end_of_record"]


def rewrite_lcov(lcov: Path) -> None:
    measured = Coverage()
    measured.load()
    out: List[str] = []
    record: List[str] = []
    for line in lcov.read_text(encoding="utf-8").splitlines():
        record.append(line)
        if line == "end_of_record":
            out += rewrite(record, measured)
            record = []
    lcov.write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> int:
    status = int(pytest.main(["--cov=app", "--cov-branch", f"--cov-report=lcov:{LCOV}", "--cov-report=term-missing", "tests"]))
    if LCOV.exists():
        rewrite_lcov(LCOV)
    return status


if __name__ == "__main__":
    sys.exit(main())
`;

export const TEST_TIMESTAMPS_PY = String.raw`"""Datetimes are answered in UTC with milliseconds and Z, whatever offset they were sent with."""
from datetime import datetime, timedelta, timezone

from app.timestamps import iso, now


def test_an_offset_is_converted_to_utc() -> None:
    assert iso(datetime(2025, 1, 15, 12, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))) == "2025-01-15T10:30:00.123Z"


def test_a_datetime_without_offset_is_taken_as_utc() -> None:
    assert iso(datetime(2025, 1, 15, 10, 30)) == "2025-01-15T10:30:00.000Z"


def test_now_is_utc() -> None:
    assert now().endswith("Z")
`;
