"""A throwaway PostgreSQL server for the tests and CI (standard library only).

    python scripts/pg_sandbox.py start DIR   # prints postgresql://loancli:PASSWORD@127.0.0.1:PORT/loancli
    python scripts/pg_sandbox.py stop DIR    # stops the server and removes DIR
    python scripts/pg_sandbox.py bindir      # where the server binaries are (exit 2: none)

``start`` makes a new cluster in DIR (which must not exist, or be empty) with the server's own
binaries (``pg_config --bindir``, then PATH, then the newest ``/usr/lib/postgresql/*/bin``), run
as an unprivileged user: as root, the ``postgres`` system user (PostgreSQL refuses to run as
root), DIR being handed to it; otherwise yourself. The server listens on 127.0.0.1 only, at a
free port, with its unix socket inside DIR; it trades durability for speed (``fsync=off``: a
throwaway world). A login role ``loancli`` with a random password owns a database ``loancli``;
over TCP every role needs its password (scram-sha-256). The superuser ``postgres`` has no
password and is reachable only through the socket in DIR, which only DIR's owner (and root) can
open.

The tests import this file as a module: ``start(dir) -> url``, ``stop(dir)``, ``find_bindir()``.
Exit codes: 0 done, 2 PostgreSQL is missing or would not start (one line on stderr).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROLE = "loancli"
DATABASE = "loancli"
SUPERUSER = "postgres"
# Run as this system user when started by root (Debian's package creates it).
SYSTEM_USER = "postgres"
# What start() leaves in DIR: stop() removes only a folder that holds it.
MARKER = "sandbox.json"
NEEDED = ("initdb", "pg_ctl", "postgres", "pg_isready", "psql")
# A unix socket's path must fit in 107 bytes (sun_path); leave room for ".s.PGSQL.NNNNN".
SOCKET_DIR_MAX = 90
START_ATTEMPTS = 5
# Limits on waiting (seconds): they stop a hung step, and decide nothing on a slow machine.
START_WAIT = 60
STEP_WAIT = 120


class SandboxError(Exception):
    """A sandbox could not be made or stopped. ``unavailable`` is true when this machine has no
    PostgreSQL to run (no server binaries, or no unprivileged user to run them as)."""

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        super().__init__(message)
        self.unavailable = unavailable


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6)
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def _has_server(bindir: Path) -> bool:
    return all((bindir / name).is_file() and os.access(bindir / name, os.X_OK) for name in NEEDED)


def _candidates() -> list[Path]:
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            found.append(Path(out))
    initdb = shutil.which("initdb")
    if initdb:
        found.append(Path(initdb).resolve().parent)
    found.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True))
    return found


def find_bindir() -> Path | None:
    """The folder of a PostgreSQL server's binaries (initdb, pg_ctl, postgres, pg_isready,
    psql), or None when this machine has none."""
    for bindir in _candidates():
        if _has_server(bindir):
            return bindir
    return None


def _run_as() -> tuple[str | None, list[str]]:
    """(the system user to run the server as, or None for ourselves; the command prefix)."""
    if os.geteuid() != 0:
        return None, []
    try:
        import pwd

        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise SandboxError(
            f"running as root needs a {SYSTEM_USER!r} system user to run PostgreSQL as "
            "(it refuses to run as root); install Debian's postgresql package or run as "
            "another user",
            unavailable=True,
        ) from None
    return SYSTEM_USER, [_runuser(), "-u", SYSTEM_USER, "--"]


def _runuser() -> str:
    return shutil.which("runuser") or "/usr/sbin/runuser"


def _env() -> dict[str, str]:
    # Nothing of the caller's libpq settings (PGHOST, PGPORT, PGDATA, PGPASSWORD, PGSERVICE...)
    # may steer the sandbox's own commands.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    env.pop("LANG", None)
    return env


def _call(cmd: list[str], what: str, cwd: Path, timeout: float = STEP_WAIT) -> str:
    try:
        done = subprocess.run(
            cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[-400:]
        raise SandboxError(f"{what} failed (exit {done.returncode}): {detail}")
    return done.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_config(data: Path, run: Path, port: int) -> None:
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{run}'",
        "max_connections": "200",
        "password_encryption": "'scram-sha-256'",
        # A throwaway world: nothing here must survive a crash of the machine.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "logging_collector": "off",
    }
    lines = [f"{key} = {value}\n" for key, value in settings.items()]
    (data / "postgresql.auto.conf").write_text("".join(lines), encoding="utf-8")
    # The superuser only through the socket in DIR (closed to other users); every TCP login
    # (127.0.0.1 only) with its password.
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8"
    )


def _chown_tree(root: Path, user: str) -> None:
    shutil.chown(root, user, user)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            shutil.chown(os.path.join(folder, name), user, user)


def start(directory: str | os.PathLike[str]) -> str:
    """Make and start a throwaway server in ``directory`` (created; must be empty if it
    exists) and return its connection URL for the role ``loancli``, password included. When
    it fails, nothing is left running and ``directory`` is removed."""
    bindir = find_bindir()
    if bindir is None:
        raise SandboxError(
            "no PostgreSQL server binaries found (looked at pg_config --bindir, PATH and "
            "/usr/lib/postgresql/*/bin); install PostgreSQL (Debian: apt-get install postgresql)",
            unavailable=True,
        )
    user, prefix = _run_as()
    root = Path(directory).absolute()
    if root.exists() and any(root.iterdir()):
        raise SandboxError(f"{root} is not empty: give start a new folder")
    run = root / "run"
    if len(str(run)) > SOCKET_DIR_MAX:
        raise SandboxError(f"{root} is too long a path for a unix socket: use a shorter one")
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    (root / MARKER).write_text(json.dumps({"bindir": str(bindir), "user": user}), encoding="utf-8")
    try:
        run.mkdir()
        if user is not None:
            _chown_tree(root, user)
            try:
                _call([*prefix, "test", "-w", str(root)], "reaching the folder", Path("/"))
            except SandboxError:
                raise SandboxError(
                    f"the {user!r} user cannot reach {root} (a parent folder is closed to "
                    "it): put the sandbox under /tmp"
                ) from None
        return _make_cluster(bindir, prefix, root)
    except BaseException:
        try:
            stop(root)
        except SandboxError:
            pass
        raise


def _make_cluster(bindir: Path, prefix: list[str], root: Path) -> str:
    data, run = root / "data", root / "run"
    _call(
        [
            *prefix,
            str(bindir / "initdb"),
            "--pgdata",
            str(data),
            "--username",
            SUPERUSER,
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--auth",
            "trust",
            "--no-sync",
        ],
        "initdb",
        root,
    )
    port = _start_server(bindir, prefix, root, data, run)
    password = secrets.token_hex(16)
    psql = [
        *prefix,
        str(bindir / "psql"),
        "--no-psqlrc",
        "--quiet",
        "--set",
        "ON_ERROR_STOP=1",
        "--host",
        str(run),
        "--port",
        str(port),
        "--username",
        SUPERUSER,
        "--dbname",
        "postgres",
    ]
    _call(
        [
            *psql,
            "--command",
            f"CREATE ROLE {ROLE} LOGIN PASSWORD '{password}'",
            "--command",
            f"CREATE DATABASE {DATABASE} OWNER {ROLE}",
        ],
        "creating the loancli role and database",
        root,
    )
    return f"postgresql://{ROLE}:{password}@127.0.0.1:{port}/{DATABASE}"


def _start_server(bindir: Path, prefix: list[str], root: Path, data: Path, run: Path) -> int:
    """Start the server at a free port (another one if that port was taken meanwhile) and
    wait until it accepts connections; return the port."""
    log = root / "server.log"
    failure = ""
    for _ in range(START_ATTEMPTS):
        port = _free_port()
        _write_config(data, run, port)
        try:
            _call(
                [
                    *prefix,
                    str(bindir / "pg_ctl"),
                    "start",
                    "--pgdata",
                    str(data),
                    "--log",
                    str(log),
                    "--wait",
                    "--timeout",
                    str(START_WAIT),
                ],
                "pg_ctl start",
                root,
                timeout=START_WAIT + 30,
            )
        except SandboxError as exc:
            text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            failure = " ".join(text.split())[-400:] or str(exc)
            if "could not bind" in text or "already in use" in text:
                log.unlink(missing_ok=True)
                continue
            raise SandboxError(f"the server would not start: {failure}") from exc
        # pg_ctl --wait returns once the server is ready; pg_isready confirms both ways in.
        for host in (str(run), "127.0.0.1"):
            _call(
                [*prefix, str(bindir / "pg_isready"), "--host", host, "--port", str(port)],
                f"pg_isready on {host}",
                root,
            )
        return port
    raise SandboxError(f"no free port after {START_ATTEMPTS} attempts: {failure}")


def stop(directory: str | os.PathLike[str]) -> None:
    """Stop the sandbox's server at once and remove ``directory``. A folder that start() did
    not make is left alone (SandboxError); a missing one is nothing to do."""
    root = Path(directory).absolute()
    if not root.exists():
        return
    marker = root / MARKER
    if not marker.is_file():
        if any(root.iterdir()):
            raise SandboxError(f"{root} is not a sandbox (no {MARKER}): not removing it")
        root.rmdir()
        return
    info = json.loads(marker.read_text(encoding="utf-8"))
    data = root / "data"
    if (data / "postmaster.pid").exists():
        user = info.get("user")
        prefix = [_runuser(), "-u", user, "--"] if user and os.geteuid() == 0 else []
        pg_ctl = str(Path(info["bindir"]) / "pg_ctl")
        try:
            _call(
                [*prefix, pg_ctl, "stop", "--pgdata", str(data), "--mode", "immediate", "--wait"],
                "pg_ctl stop",
                root,
            )
        except SandboxError:
            if (data / "postmaster.pid").exists():
                raise
    shutil.rmtree(root)


def main(argv: list[str]) -> int:
    if argv == ["bindir"]:
        bindir = find_bindir()
        if bindir is None:
            print("pg_sandbox: no PostgreSQL server binaries found", file=sys.stderr)
            return 2
        print(bindir)
        return 0
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: pg_sandbox.py start|stop DIR, or pg_sandbox.py bindir", file=sys.stderr)
        return 2
    command, directory = argv
    try:
        if command == "start":
            print(start(directory))
        else:
            stop(directory)
    except SandboxError as exc:
        print(f"pg_sandbox: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
