"""The state file: a TinyDB JSON file, loaded once per command, behind a small repository API.

One state file holds every table, in TinyDB's layout (``{table: {doc_id: document}}``), so
TinyDB itself (and anything that reads JSON) opens it. A `Store` is opened per command::

    with Store(path) as store, store.transaction():
        applicant_id = store.next_id("applicant", "A")
        store.insert("applicants", {"id": applicant_id, "phone": "13800138000", ...})

- **Loaded once.** The file is parsed and every record checked (``records.py``) when the store
  opens; reads then scan memory and copy only the documents they return.
- **Written once per unit.** Writes inside `Store.transaction` reach the disk once, at its end,
  or not at all; a write outside one is its own unit. A unit that changed nothing writes
  nothing. The file is replaced atomically (temporary file, fsync, rename, fsync of the
  directory) as compact JSON, written through a symbolic link to its target.
- **Locked for writers only.** A writer holds an exclusive lock (a sibling ``<file>.lock``) for
  the whole command, waiting up to ``lock_timeout`` seconds for another writer; a reader
  (``read_only``) takes no lock, creates nothing and reads the last committed file.
- **Nothing it does not understand is touched.** A file that cannot be parsed, has another
  schema, or holds a record that does not fit its type is refused (exit 4) and left as it is;
  so is a path that is a directory, device, FIFO or socket.

Data is never edited in place: a write replaces the documents and the table it touches, so a
savepoint is a reference to the tables as they were, and a rollback restores it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from loancli.errors import (
    RuleError,
    SchemaVersionError,
    StateCorrupt,
    StateError,
    StateLocked,
)
from loancli.records import META, RecordProblem, check_table

SCHEMA_VERSION = 1
META_TABLE = META
SCHEMA_KEY = "schema"
# How long a writer waits for another writer's lock, in seconds (--lock-timeout).
DEFAULT_LOCK_TIMEOUT = 30.0

_ADVICE = "it was left untouched — restore a backup or point --db at a new file"

Data = dict[str, dict[str, Any]]

_encoder = msgspec.json.Encoder(order="sorted")
_decoder = msgspec.json.Decoder()


def default_db_path() -> Path:
    """Return the state file: ``$LOANCLI_DB`` if set, else the user data directory's state.json."""
    env = os.environ.get("LOANCLI_DB")
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("loancli") / "state.json"


class Document(dict[str, Any]):
    """A copy of a stored document, with the number TinyDB keys it by (``doc_id``)."""

    def __init__(self, value: dict[str, Any], doc_id: int) -> None:
        super().__init__(value)
        self.doc_id = doc_id


def _copy(value: Any) -> Any:
    """A deep copy of JSON data, and the check that it is JSON (before any file is touched)."""
    try:
        return _decoder.decode(_encoder.encode(value))
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"not JSON data: {exc}") from None


class Store:
    """The state file, open for one command: ``with Store(path) as store:``.

    ``create_dirs`` creates a missing parent directory (the default location); otherwise a
    missing directory is refused naming the path. ``on_wait`` is told once, with a sentence,
    when a writer has to wait for another writer's lock.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        *,
        read_only: bool = False,
        create_dirs: bool = True,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.lock_timeout = lock_timeout
        self.read_only = read_only
        self.create_dirs = create_dirs
        self.on_wait = on_wait
        self._lock: Any = None
        self._open = False
        self._data: Data = {}
        self._dirty = False
        self._depth = 0
        self._next_ids: dict[str, int] = {}
        self.writes = 0

    # -- opening and closing -------------------------------------------------------------

    def __enter__(self) -> Store:
        self._target = _target_of(self.path)
        if not self.read_only:
            self._prepare_directory()
            self._acquire()
        try:
            if not self.read_only:
                _remove_orphans(self._target)
            self._data = _load(self._target, self.path) or {}
            self._open = True
            self._check_schema()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        """Release the lock; safe to call twice."""
        self._open = False
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _prepare_directory(self) -> None:
        parent = self._target.parent
        if parent.is_dir():
            return
        if not self.create_dirs:
            raise RuleError(
                "db", f"the directory {parent} of state file {self.path} does not exist"
            )
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"cannot create the directory {parent} for state file {self.path}: "
                f"{exc.strerror or exc}"
            ) from exc

    def _acquire(self) -> None:
        import filelock

        lock = filelock.FileLock(str(self._target) + ".lock")
        try:
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:
                if self.on_wait is not None:
                    self.on_wait(
                        f"state file {self.path} is in use by another loancli process; "
                        f"waiting up to {self.lock_timeout:g} s"
                    )
                lock.acquire(timeout=self.lock_timeout)
        except filelock.Timeout as exc:
            raise StateLocked(
                f"state file {self.path} is still locked by another loancli process after "
                f"{self.lock_timeout:g} s; try again when it has finished, or wait longer "
                "with --lock-timeout"
            ) from exc
        except OSError as exc:
            raise StateError(
                f"cannot lock state file {self.path} (lock file {lock.lock_file}): "
                f"{exc.strerror or exc}"
            ) from exc
        self._lock = lock

    def _check_schema(self) -> None:
        """Stamp a new file with SCHEMA_VERSION; refuse a file stamped otherwise or not at all."""
        if not any(self._data.values()):
            if not self.read_only:
                self.insert(META_TABLE, {"key": SCHEMA_KEY, "version": SCHEMA_VERSION})
            return
        schema = next(
            (d for d in self._data.get(META_TABLE, {}).values() if d.get("key") == SCHEMA_KEY),
            None,
        )
        if schema is None or "version" not in schema:
            raise SchemaVersionError(
                f"state file {self.path} has no schema version (this loancli supports version "
                f"{SCHEMA_VERSION}); {_ADVICE}"
            )
        if schema["version"] != SCHEMA_VERSION:
            raise SchemaVersionError(
                f"state file {self.path} has schema version {schema['version']!r}, but this "
                f"loancli supports version {SCHEMA_VERSION}; {_ADVICE}"
            )
        # Only a file of this schema can be held to this schema's record types.
        for name, table in self._data.items():
            try:
                check_table(name, table)
            except RecordProblem as exc:
                raise StateCorrupt(f"state file {self.path}: {exc}; {_ADVICE}") from None

    def _require_open(self) -> None:
        if not self._open:
            raise RuntimeError("the store is not open; use it as `with Store(path) as store:`")

    # -- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Batch the writes inside: written once, atomically, at the end; none on an exception.

        Transactions nest; an inner one that fails undoes only its own writes, and only the
        outermost one writes to disk.
        """
        self._require_open()
        savepoint = (self._data, self._dirty, dict(self._next_ids))
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            self._data, self._dirty, self._next_ids = savepoint
            raise
        self._depth -= 1
        if self._depth == 0:
            self._flush(savepoint)

    def _flush(self, savepoint: tuple[Data, bool, dict[str, int]]) -> None:
        if not self._dirty or self.read_only:
            # A reader may work in memory (catch loans up to show them) but never writes.
            return
        try:
            _write_atomic(self._target, self._data, self.path)
        except BaseException:
            self._data, self._dirty, self._next_ids = savepoint
            raise
        self._dirty = False
        self.writes += 1

    @contextlib.contextmanager
    def _unit(self) -> Iterator[None]:
        """A write outside any transaction is a unit of its own."""
        with self.transaction():
            yield

    def _replace(self, name: str, table: dict[str, Any]) -> None:
        self._data = {**self._data, name: table}
        self._dirty = True

    # -- repository API ------------------------------------------------------------------

    def insert(self, table: str, doc: dict[str, Any]) -> int:
        """Insert `doc` into `table`; return its document id."""
        self._require_open()
        stored = _copy(doc)
        with self._unit():
            current = self._data.get(table, {})
            doc_id = self._next_ids.get(table) or max(map(int, current), default=0) + 1
            self._next_ids[table] = doc_id + 1
            self._replace(table, {**current, str(doc_id): stored})
        return doc_id

    def get(self, table: str, **match: Any) -> Document | None:
        """Return the first document whose fields equal all of `match`, or None."""
        for doc_id, doc in self._matching(table, match):
            return Document(_copy(doc), int(doc_id))
        return None

    def all(self, table: str) -> list[Document]:
        """Return every document of `table`, in insertion order."""
        return self.find(table)

    def find(self, table: str, **match: Any) -> list[Document]:
        """Return the documents whose fields equal all of `match` (all of them if none given)."""
        found = list(self._matching(table, match))
        copies = _copy([doc for _, doc in found])
        return [Document(c, int(doc_id)) for (doc_id, _), c in zip(found, copies, strict=True)]

    def count(self, table: str) -> int:
        """How many documents `table` holds."""
        self._require_open()
        return len(self._data.get(table, {}))

    def tables(self) -> list[str]:
        """The names of the tables that hold documents."""
        self._require_open()
        return [name for name, docs in self._data.items() if docs]

    def _matching(self, table: str, match: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        self._require_open()
        items = match.items()
        for doc_id, doc in self._data.get(table, {}).items():
            if all(key in doc and doc[key] == value for key, value in items):
                yield doc_id, doc

    def upsert(self, table: str, doc: dict[str, Any], **match: Any) -> list[int]:
        """Update the documents matching `match` with `doc`, or insert `doc` if none match."""
        _require_match("upsert", match)
        with self._unit():
            ids = self.update(table, doc, **match)
            return ids or [self.insert(table, doc)]

    def update(self, table: str, fields: dict[str, Any], **match: Any) -> list[int]:
        """Set `fields` on the documents matching `match`; return their ids."""
        _require_match("update", match)
        changes = _copy(fields)
        hits = list(self._matching(table, match))
        changed = {
            doc_id: {**doc, **changes}
            for doc_id, doc in hits
            if any(key not in doc or doc[key] != value for key, value in changes.items())
        }
        if changed:
            with self._unit():
                self._replace(table, {**self._data.get(table, {}), **changed})
        return [int(doc_id) for doc_id, _ in hits]

    def remove(self, table: str, **match: Any) -> list[int]:
        """Remove the documents matching `match`; return their ids."""
        _require_match("remove", match)
        gone = {doc_id for doc_id, _ in self._matching(table, match)}
        if gone:
            with self._unit():
                kept = {k: v for k, v in self._data.get(table, {}).items() if k not in gone}
                self._replace(table, kept)
        return sorted(int(doc_id) for doc_id in gone)

    def meta_get(self, key: str, default: Any = None) -> Any:
        """Return the value stored under `key` in the meta table, or `default`."""
        doc = self.get(META_TABLE, key=key)
        return doc.get("value", default) if doc is not None else default

    def meta_set(self, key: str, value: Any) -> None:
        """Store `value` under `key` in the meta table (no write when it is already there)."""
        self.upsert(META_TABLE, {"key": key, "value": value}, key=key)

    def next_id(self, counter_name: str, prefix: str, width: int = 4) -> str:
        """Advance the persistent counter `counter_name`; return e.g. "A0001", "A0002"..."""
        key = f"counter.{counter_name}"
        with self._unit():
            number = int(self.meta_get(key, 0)) + 1
            self.meta_set(key, number)
        return f"{prefix}{number:0{width}d}"


def _target_of(path: Path) -> Path:
    """The file a state path names: a symbolic link is followed to its target (which is then
    written in place of the link); anything but a regular file is refused."""
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise StateError(f"state file {path} cannot be read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(mode)
            else "a FIFO"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        raise StateError(
            f"state file {path} is {kind}, not a regular file; it was left untouched — point "
            "--db at a file"
        )
    return target


def _orphans(target: Path) -> list[Path]:
    return list(target.parent.glob(f".{target.name}.*.tmp"))


def _remove_orphans(target: Path) -> None:
    """Remove temporary files a killed writer left (each a full copy of the state)."""
    for orphan in _orphans(target):
        with contextlib.suppress(OSError):
            orphan.unlink()


def _load(target: Path, shown: Path) -> Data | None:
    """Parse and check the shape of the whole state file; None when it is missing or empty."""
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(f"state file {shown} cannot be read: {exc.strerror or exc}") from exc
    if not raw:
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StateCorrupt(
            f"state file {shown} is not UTF-8 text (bad byte at offset {exc.start}); {_ADVICE}"
        ) from exc
    try:
        data = _decoder.decode(raw)
    except msgspec.DecodeError:
        raise StateCorrupt(
            f"state file {shown} is not valid JSON ({_json_position(raw)}); {_ADVICE}"
        ) from None
    if not isinstance(data, dict):
        raise StateCorrupt(
            f"state file {shown} holds a JSON {_json_kind(data)} at the top level where an "
            f"object of tables is expected; {_ADVICE}"
        )
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StateCorrupt(
                f"state file {shown}: table {name!r} is a JSON {_json_kind(table)} where an "
                f"object of documents is expected; {_ADVICE}"
            )
        for doc_id, doc in table.items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                raise StateCorrupt(
                    f"state file {shown}: table {name!r} has document id {doc_id!r} where a "
                    f"whole number is expected; {_ADVICE}"
                )
            if not isinstance(doc, dict):
                raise StateCorrupt(
                    f"state file {shown}: table {name!r} document {doc_id} is a JSON "
                    f"{_json_kind(doc)} where an object is expected; {_ADVICE}"
                )
    return data


def _json_position(raw: bytes) -> str:
    """Where JSON parsing failed, as line and column (the stdlib parser says so)."""
    import json

    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"line {exc.lineno}, column {exc.colno}"
    except RecursionError:
        return "nested too deeply"
    return "unexpected content"


def _json_kind(value: object) -> str:
    """Name a parsed JSON value's type the way JSON does."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def _write_atomic(target: Path, data: Data, shown: Path) -> None:
    """Replace `target` with `data` as compact JSON: temp file (0600), fsync, rename, fsync
    the directory."""
    body = _encoder.encode(data)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise StateError(
            f"cannot write state file {shown}: {exc.strerror or exc}; it was left as it was"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StateError(
                f"cannot write state file {shown}: {exc.strerror or exc}; it was left as it was"
            ) from exc
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable; skipped where directories cannot be fsynced."""
    if os.name != "posix":
        return
    # Some filesystems refuse fsync on a directory; the rename has happened either way.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _require_match(operation: str, match: dict[str, Any]) -> None:
    if not match:
        raise ValueError(
            f"{operation} needs at least one field to match, e.g. {operation}(table, ..., id=...)"
        )
