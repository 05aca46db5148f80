"""Shared fixtures for the journey and CLI tests: fixture paths, answers files, a CLI runner.

``run_cli`` drives ``loancli.cli.main.app`` in-process with Typer's ``CliRunner``, which keeps
stdout and stderr apart (``result.stdout`` / ``result.stderr``), on a real TinyDB file in
``tmp_path``. ``run_loancli`` runs the installed program in a child process, for the tests that
need a second process (locks) or a real terminal.

PostgreSQL: ``pg_server`` is one server per session (``LOANCLI_TEST_PG``, or a throwaway one
made by scripts/pg_sandbox.py, or a skip with the reason); ``pg_url`` is a URL for a fresh,
empty schema of one test's own on it.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the package may not be installed in the venv
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "fixtures"
ID_DIR = FIXTURES / "id"
# libyaml's writer when PyYAML has it: the same YAML, written several times faster.
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
HAPPY_PATH_FILE = FIXTURES / "answers" / "happy-path.yaml"
# A story with a figure wrong on purpose (the penalty of installment 1 is 8.05): a check of
# it fails, naming the action, the field, what it expected and what it got.
WRONG = """\
story: 1
title: a figure that is wrong on purpose
actions:
  - action: apply
    expect: {status: completed}
  - action: clock_advance
    by: 45d
    expect:
      loan:
        installments:
          1: {status: overdue, penalty: "999.99"}
"""

# The demo borrower's identifiers, in full and as every output must show them.
PHONE = "13800138000"
PHONE_MASKED = "138****8000"
ID_NUMBER = "110105199003070017"
ID_MASKED = "1101**********0017"
CARD = "6222021234567893445"
CARD_MASKED = "**** 3445"
PASSWORD = "s3cret-pass"
TRANSACTION_PASSWORD = "258369"
# What a phone-number change with the identity checked by SMS asks, in order.
CHANGE_PHONE_KEYS = (
    "phone",
    "login_method",
    "password",
    "new_phone",
    "identity_method",
    "old_phone_code",
    "new_phone_code",
)

# Wide enough that rich never wraps a table cell (a wrapped cell could split a masked value).
CLI_ENV = {"COLUMNS": "400", "LINES": "200", "NO_COLOR": "1", "TERM": "dumb"}

# The suite reads English unless a test asks for Chinese (--lang zh, LOANCLI_LANG): a Chinese
# locale on the machine running it must not change what the assertions read. Child processes
# inherit this too.
os.environ["LOANCLI_LANG"] = "en"
# Every state file the suite makes is a throwaway world: it hashes passwords at argon2's
# cheapest (``--hashing fast``, recorded in the file), in child processes too. A test marked
# ``real_hashing`` makes its files at the product's default grade.
os.environ["LOANCLI_HASHING"] = "fast"
# The test workers and every child process (a terminal, a lock holder, a crash) start Python
# afresh: they compile loancli and the test modules once into __pycache__ (which git ignores)
# instead of again at each start where PYTHONDONTWRITEBYTECODE is set (as CI machines often
# do). No PYTHONPYCACHEPREFIX: with one, Python would also ignore the installed libraries'
# own compiled files and compile all of them again (about 10 s of each worker's start).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
# A suite started in the background by a shell without job control (``pytest ... &`` in a
# script) inherits SIGINT ignored, and so would every child: the tests of Ctrl-C then saw a
# run that no Ctrl-C stops. Python's own start (its KeyboardInterrupt) is what they test.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
# What loancli remembers of the state files it found sound (``store/checked.py``) goes to a
# folder of the session's own, never the user's: a file the machine checked before must not
# change what a test sees. A test of the memo points it at its own folder.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="loancli-test-state-")
atexit.register(shutil.rmtree, os.environ["XDG_STATE_HOME"], ignore_errors=True)


def _build_once() -> None:
    """Typer's ``CliRunner`` turns the app into a click command at every ``invoke``: reading
    the root callback's signature and building its options again (about 2 ms each time, some
    4,500 times a run). A process runs its command once, so the product builds it once; here
    each app is built at its first run and the command is run again after, as click's own
    test runner does with one command."""
    import typer.main
    import typer.testing

    typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]


_build_once()


@pytest.fixture(autouse=True)
def english_by_default() -> None:
    """The language is per command; a test that ran one in Chinese leaves none behind."""
    from loancli.i18n import set_language

    set_language("en")


@pytest.fixture(scope="session", autouse=True)
def quick_world() -> Iterator[dict[str, Any]]:
    """argon2 at its cheapest and no fsync, in this process, for the whole session: a journey
    hashes and checks two passwords and forces ~20 writes to the disk, and neither is what
    most tests look at. The hash string names its parameters, so hashes verify either way.

    A test marked ``real_hashing`` gets the product's argon2 parameters back (and makes its
    state files at the default grade: no ``LOANCLI_HASHING``); the tests under
    tests/unit/store (durability is their subject) get the real fsync back.
    """
    from argon2 import PasswordHasher

    from loancli.account import hashing

    real = {"hasher": hashing._hasher, "fsync": os.fsync}
    patch = pytest.MonkeyPatch()
    cheapest = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    patch.setattr(hashing, "_hasher", lambda grade: cheapest)
    patch.setattr(os, "fsync", lambda fd: None)
    yield real
    patch.undo()


@pytest.fixture(autouse=True)
def real_costs_where_tested(
    request: pytest.FixtureRequest, quick_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from loancli.account import hashing

    if request.node.get_closest_marker("real_hashing"):
        monkeypatch.setattr(hashing, "_hasher", quick_world["hasher"])
        monkeypatch.delenv("LOANCLI_HASHING")
    if Path(str(request.node.path)).is_relative_to(ROOT / "tests" / "unit" / "store"):
        monkeypatch.setattr(os, "fsync", quick_world["fsync"])


DROP = object()  # pass as an answer value to leave the key out of the answers file


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip fsync in in-process runs: a journey makes ~60 of them, which dominate its time.

    Durability is test_store.py's subject; here the files are still written and renamed
    atomically, only not forced to the disk.
    """
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@pytest.fixture(scope="module")
def completed_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state file holding one completed journey (A0001), made once for the module: for the
    tests of refusals, which must leave it as it is."""
    folder = tmp_path_factory.mktemp("completed-state")
    state = folder / "state.json"
    code, out, err = run_cli(folder, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0, out + err
    return state


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def id_dir() -> Path:
    return ID_DIR


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The state file of one test (created by the first command that uses it)."""
    return tmp_path / "state.json"


def load_yaml(text: str | bytes) -> Any:
    """YAML read with libyaml, as loancli reads it, not PyYAML's pure-Python reader: dozens
    of tests read a ticket's story, and the pure-Python reader cost seconds of the suite."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


_HASHES = re.compile(r"\$argon2(?:id|i|d)\$[^\"\s]*|[0-9a-f]{32,}")


def without_hashes(text: str) -> str:
    """``text`` without argon2 hashes and hex digests: a salt or a digest holds any short
    run of digits by chance (a CVV2's 947 was once found in a salt), so a test that a
    secret is not kept looks for it in what is left."""
    return _HASHES.sub("", text)


@functools.cache
def _happy_answers_text() -> str:
    """The happy-path answers as JSON text, read once per process (PyYAML's pure-Python
    reader takes longer than the in-memory journey the answers drive)."""
    data = yaml.safe_load(HAPPY_PATH_FILE.read_text(encoding="utf-8"))
    for key in ("id_front", "id_back"):
        data[key] = str((HAPPY_PATH_FILE.parent / data[key]).resolve())
    return json.dumps(data)


def happy_answers() -> dict[str, Any]:
    """The happy-path answers with the ID image paths made absolute (usable from any folder);
    a copy of its own for each caller."""
    data: dict[str, Any] = json.loads(_happy_answers_text())
    return data


def own_photo(side: str, path: Path) -> Path:
    """The fixture ID card's ``side`` ("front" or "back") written to ``path`` as a photo of
    the borrower's own: the same card (its fields too), other bytes, so a story or a bundle
    copies it rather than naming the built-in image it would be."""
    from PIL import Image, PngImagePlugin

    with Image.open(ID_DIR / f"{side}.png") as image:
        fields = PngImagePlugin.PngInfo()
        for key, value in image.info.items():
            if isinstance(value, str):
                fields.add_text(key, value)
        image.save(path, compress_level=1, pnginfo=fields)
    return path


def write_answers(folder: Path, name: str = "answers.yaml", **changes: Any) -> Path:
    """Write the happy-path answers with ``changes`` applied (``DROP`` removes a key)."""
    data = happy_answers()
    for key, value in changes.items():
        if value is DROP:
            data.pop(key, None)
        else:
            data[key] = value
    path = folder / name
    text = yaml.dump(data, Dumper=YAML_DUMPER, allow_unicode=True, sort_keys=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def answers(tmp_path: Path) -> Callable[..., Path]:
    """``answers(name=..., **changes)``: an answers file in tmp_path (see write_answers)."""

    def make(name: str = "answers.yaml", **changes: Any) -> Path:
        return write_answers(tmp_path, name, **changes)

    return make


def run_cli(
    tmp_path: Path,
    *args: str,
    db: Path | str | None = None,
    input: str | None = None,
    columns: int | None = None,
) -> tuple[int, str, str]:
    """Run ``loancli --db <db> ARGS`` in-process; return (exit code, stdout, stderr).

    The state file defaults to ``tmp_path/state.json``. An exception that is not a clean exit
    is re-raised, so a bug shows its traceback in the test report instead of a bare exit 1.
    """
    from typer.testing import CliRunner

    from loancli.cli.main import app

    state = db if db is not None else tmp_path / "state.json"
    env = dict(CLI_ENV, COLUMNS=str(columns)) if columns else CLI_ENV
    runner = CliRunner(env=env)
    result = runner.invoke(app, ["--db", str(state), *args], input=input, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def run_json(
    tmp_path: Path, *args: str, db: Path | str | None = None
) -> tuple[int, dict[str, Any]]:
    """``run_cli`` with ``--json``; stdout must be exactly one JSON document."""
    code, out, err = run_cli(tmp_path, "--json", *args, db=db)
    assert "Traceback" not in out + err
    return code, json.loads(out)


def patience(seconds: float) -> float:
    """A limit on waiting for a child process or a terminal, scaled to how busy the machine
    is (the load average per core, at least 1) and by ``LOANCLI_TEST_PATIENCE`` (a factor,
    default 1). Tests wait for events (a process ending, a line on a screen); the limit only
    stops a hung one, and never decides a verdict on a slow machine."""
    busy = os.getloadavg()[0] / (os.cpu_count() or 1)
    return seconds * max(1.0, busy) * float(os.environ.get("LOANCLI_TEST_PATIENCE", "1"))


def run_loancli(
    args: list[str], *, timeout: float = 30, **kwargs: Any
) -> subprocess.CompletedProcess:
    """Run the program in a child process (``python -m loancli.cli.main``)."""
    env = dict(os.environ, **CLI_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("LOANCLI_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "loancli.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=patience(timeout),
        **kwargs,
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/terminal drives a real pseudo-terminal: mark it ``terminal``, so
    ``pytest -m "not terminal"`` is the fast loop while editing."""
    terminal = ROOT / "tests" / "terminal"
    for item in items:
        if Path(str(item.path)).is_relative_to(terminal):
            item.add_marker(pytest.mark.terminal)


def _load_pg_sandbox() -> ModuleType:
    """scripts/pg_sandbox.py as the module ``pg_sandbox`` (scripts/ is not a package)."""
    module = sys.modules.get("pg_sandbox")
    if module is None:
        spec = importlib.util.spec_from_file_location(
            "pg_sandbox", ROOT / "scripts" / "pg_sandbox.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["pg_sandbox"] = module
        spec.loader.exec_module(module)
    return module


pg_sandbox = _load_pg_sandbox()


def masked_url(url: str) -> str:
    """The connection URL with its password (if any) shown as ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def pg_unavailable(reason: str) -> NoReturn:
    """No PostgreSQL for the tests: a skip with the reason, or a failure where CI promised a
    server (``LOANCLI_REQUIRE_PG=1``): a test that needs one is never silently passed."""
    if os.environ.get("LOANCLI_REQUIRE_PG") == "1":
        pytest.fail(f"LOANCLI_REQUIRE_PG=1 but PostgreSQL is not available: {reason}", False)
    pytest.skip(f"PostgreSQL is not available: {reason}")


def check_given_server(url: str) -> str:
    """``LOANCLI_TEST_PG``'s server, which must answer: a set but dead URL fails every test
    that needs it (never a skip), its password masked in the message."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=patience(10)) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split())
        pytest.fail(f"LOANCLI_TEST_PG={masked_url(url)} is not reachable: {detail}", False)
    return url


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for this session (role and database ``loancli``):
    ``LOANCLI_TEST_PG`` when set (it must answer), else a throwaway server of this process's
    own (scripts/pg_sandbox.py; each xdist worker that needs one starts its own, stopped and
    removed at the end), else a skip saying why (a failure under ``LOANCLI_REQUIRE_PG=1``)."""
    given = os.environ.get("LOANCLI_TEST_PG")
    if given:
        yield check_given_server(given)
        return
    # Under /tmp with a short name: the server's user must reach it, and a unix socket's path
    # is short.
    directory = tempfile.mkdtemp(prefix="loancli-pg-")
    try:
        url = pg_sandbox.start(directory)
    except pg_sandbox.SandboxError as exc:
        if exc.unavailable:
            pg_unavailable(str(exc))
        pytest.fail(f"the PostgreSQL sandbox would not start: {exc}", False)
    try:
        yield url
    finally:
        pg_sandbox.stop(directory)


def schema_url(url: str, schema: str) -> str:
    """``url`` with its connections' search_path set to ``schema`` (libpq's ``options``)."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def _pg_admin(pg_server: str) -> Iterator[Callable[[], Any]]:
    """One autocommit connection per worker for making and dropping test schemas (opened
    again if a test broke it). A connection a test left inside a transaction would hold a
    drop forever: it waits 30 s for its locks, then fails saying so."""
    import psycopg

    held: list[psycopg.Connection[Any]] = []

    def connection() -> psycopg.Connection[Any]:
        if not held or held[0].broken or held[0].closed:
            held[:] = [psycopg.connect(pg_server, autocommit=True, options="-c lock_timeout=30s")]
        return held[0]

    yield connection
    for conn in held:
        conn.close()


@contextlib.contextmanager
def fresh_schema(server: str, admin: Callable[[], Any]) -> Iterator[str]:
    """Make an empty schema ``t_<random>`` on ``server`` through ``admin()`` (an autocommit
    connection), give the URL whose connections use it, then drop it with all it holds."""
    from psycopg import sql

    schema = sql.Identifier(f"t_{secrets.token_hex(8)}")
    admin().execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    try:
        yield schema_url(server, schema.as_string())
    finally:
        admin().execute(sql.SQL("DROP SCHEMA {} CASCADE").format(schema))


@pytest.fixture
def pg_url(pg_server: str, _pg_admin: Callable[[], Any]) -> Iterator[str]:
    """A URL for a fresh, empty schema ``t_<random>`` of this test's own on ``pg_server``
    (every connection made with it creates and finds its tables there), dropped with all it
    holds after the test: tests never see each other's tables, across xdist workers too."""
    with fresh_schema(pg_server, _pg_admin) as url:
        yield url


@pytest.fixture(scope="session")
def _pg_template(pg_server: str, _pg_admin: Callable[[], Any]) -> Iterator[tuple[str, str]]:
    """One schema per worker that loancli has made its tables in (the first writer's
    migration, done once): ``pg_world`` empties it for each test, which costs a few
    milliseconds where making and dropping a schema's tables costs some 70."""
    from loancli.store import Store

    with fresh_schema(pg_server, _pg_admin) as url:
        with Store(url):
            pass
        yield url, url.rsplit("%3D", 1)[1]


@pytest.fixture
def pg_world(_pg_template: tuple[str, str], _pg_admin: Callable[[], Any]) -> str:
    """A URL for an empty world on the test server whose loancli tables exist already (as
    after a first write): every record, every table a test added, every record number
    gone. For a test of the schema itself (made, migrated, refused), ``pg_url``."""
    from psycopg import sql

    from loancli.store.pg_store import KINDS, PG_SCHEMA_VERSION, PREFIX

    url, schema = _pg_template
    name = sql.Identifier(schema.strip('"'))
    admin = _pg_admin()
    extra = admin.execute(
        sql.SQL("SELECT tbl FROM {}.loancli_kinds WHERE NOT name = ANY(%s)").format(name),
        (list(KINDS),),
    ).fetchall()
    statements = [
        sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE").format(name, sql.Identifier(tbl))
        for (tbl,) in extra
    ]
    statements.append(
        sql.SQL("DELETE FROM {}.loancli_kinds WHERE NOT name = ANY({})").format(
            name, sql.Literal(list(KINDS))
        )
    )
    statements.append(
        sql.SQL("DELETE FROM {}.loancli_schema WHERE version > {}").format(
            name, sql.Literal(PG_SCHEMA_VERSION)
        )
    )
    tables = [sql.SQL("{}.{}").format(name, sql.Identifier(PREFIX + kind)) for kind in KINDS]
    statements.append(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(tables)))
    statements += [
        sql.SQL("ALTER SEQUENCE {}.{} RESTART").format(
            name, sql.Identifier(f"{PREFIX}{kind}_numbers")
        )
        for kind in KINDS
    ]
    admin.execute(sql.SQL("; ").join(statements))
    return url
