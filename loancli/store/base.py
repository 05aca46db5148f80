"""What every backend of the state file shares: opening it safely, the writer's lock, the
schema check, commit units, and the repository API built on a few backend primitives.

``Store(path)`` opens the backend the path names: SQLite for ``.sqlite`` and ``.db`` (large
worlds), else the TinyDB JSON file (the one-file world support attaches to a ticket). Both
hold the same records, keyed the same way, behind the same API::

    with Store(path) as store, store.transaction():
        applicant_id = store.next_id("applicant", "A")
        store.insert("applicants", {"id": applicant_id, "phone": "13800138000", ...})

- **Units.** Writes inside `Store.transaction` reach the file together at its end, or not at
  all; a write outside one is its own unit. Transactions nest; an inner one that fails undoes
  only its own writes.
- **Writers lock, readers do not.** A writer holds an exclusive lock (a sibling
  ``<file>.lock``) for the whole command, waiting up to ``lock_timeout`` seconds; a reader
  (``read_only``) takes no lock, creates nothing, writes nothing and reads the last committed
  state.
- **Nothing it does not understand is touched.** A path that is a directory, device, FIFO or
  socket, a file of another schema, or a record that does not fit its type (``records.py``)
  is refused (exit 4) and left as it is.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import msgspec

from loancli.errors import RuleError, SchemaVersionError, StateCorrupt, StateError, StateLocked
from loancli.i18n import N_, _
from loancli.records import META, RecordProblem, check_table
from loancli.store.consistency import check_documents, taken

SCHEMA_VERSION = 1
META_TABLE = META
SCHEMA_KEY = "schema"
# How long a writer waits for another writer's lock, in seconds (--lock-timeout).
DEFAULT_LOCK_TIMEOUT = 30.0
SQLITE_SUFFIXES = (".sqlite", ".db")
# The fields the commands look documents up by; each backend indexes them.
LOOKUP_FIELDS = ("id", "phone", "applicant_id", "payout_id", "key")

ADVICE = N_("it was left untouched — restore a backup or point --db at a new file")

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


def encode(value: Any) -> bytes:
    """JSON bytes, keys sorted (so equal data is equal bytes)."""
    return _encoder.encode(value)


def decode(raw: bytes | str) -> Any:
    return _decoder.decode(raw)


def copy(value: Any) -> Any:
    """A deep copy of JSON data, and the check that it is JSON (before any file is touched)."""
    try:
        return _decoder.decode(_encoder.encode(value))
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"not JSON data: {exc}") from None


class Document(dict[str, Any]):
    """A copy of a stored document, with the number it is keyed by (``doc_id``)."""

    def __init__(self, value: dict[str, Any], doc_id: int) -> None:
        super().__init__(value)
        self.doc_id = doc_id


class Store:
    """The state file, open for one command: ``with Store(path) as store:``.

    ``create_dirs`` creates a missing parent directory (the default location); otherwise a
    missing directory is refused naming the path. ``on_wait`` is told once, with a sentence,
    when a writer has to wait for another writer's lock.
    """

    backend: ClassVar[str] = ""

    def __new__(cls, path: str | os.PathLike[str] | None = None, *args: Any, **kwargs: Any) -> Any:
        if cls is Store:
            chosen = Path(path) if path is not None else default_db_path()
            if chosen.suffix.lower() in SQLITE_SUFFIXES:
                from loancli.store.sqlite_store import SqliteStore

                cls = SqliteStore
            else:
                from loancli.store.json_store import JsonStore

                cls = JsonStore
        return super().__new__(cls)

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
        self._depth = 0
        self._unstamped = False
        # How many times a unit reached the file (what a benchmark or a test may count).
        self.writes = 0

    # -- backend primitives ----------------------------------------------------------------

    def _open_backend(self) -> None:
        """Read or connect to the file at ``self._target`` (it may not exist)."""
        raise NotImplementedError

    def _close_backend(self) -> None:
        """Release what the backend holds."""

    def _begin(self) -> Any:
        """Start a (possibly nested) unit; return its savepoint."""
        raise NotImplementedError

    def _end(self, savepoint: Any, outermost: bool) -> None:
        """End a unit that succeeded; the outermost one reaches the file."""
        raise NotImplementedError

    def _undo(self, savepoint: Any, outermost: bool) -> None:
        """End a unit that failed, forgetting what it wrote."""
        raise NotImplementedError

    def _matching(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        """(doc id, stored document) for the documents whose fields equal all of ``match``;
        a document may be yielded unchecked only by the backend that checks on load."""
        raise NotImplementedError

    def _insert(self, table: str, doc: Any) -> int:
        raise NotImplementedError

    def _put(self, table: str, docs: dict[int, Any]) -> None:
        """Replace the documents with these ids."""
        raise NotImplementedError

    def _delete(self, table: str, doc_ids: set[int]) -> None:
        raise NotImplementedError

    def count(self, table: str) -> int:
        """How many documents `table` holds."""
        raise NotImplementedError

    def tables(self) -> list[str]:
        """The names of the tables that hold documents."""
        raise NotImplementedError

    def size(self) -> int:
        """The bytes the state takes on disk."""
        raise NotImplementedError

    # -- opening and closing -------------------------------------------------------------

    def __enter__(self) -> Store:
        self._target = target_of(self.path)
        if not self.read_only:
            self._prepare_directory()
            self._acquire()
        try:
            self._open_backend()
            self._open = True
            self._check_schema()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        """Close the backend and release the lock; safe to call twice."""
        try:
            if self._open:
                self._close_backend()
        finally:
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
                "db",
                _("the directory {parent} of state file {value0} does not exist").format(
                    parent=parent, value0=self.path
                ),
            )
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                _("cannot create the directory {parent} for state file {value0}: {value1}").format(
                    parent=parent, value0=self.path, value1=exc.strerror or exc
                )
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
                _(
                    "state file {value0} is still locked by another loancli process after "
                    "{value1:g} s; try again when it has finished, or wait longer with "
                    "--lock-timeout"
                ).format(value0=self.path, value1=self.lock_timeout)
            ) from exc
        except OSError as exc:
            raise StateError(
                _("cannot lock state file {value0} (lock file {value1}): {value2}").format(
                    value0=self.path, value1=lock.lock_file, value2=exc.strerror or exc
                )
            ) from exc
        self._lock = lock

    def _check_schema(self) -> None:
        """Stamp a new file with SCHEMA_VERSION; refuse a file stamped otherwise or not at all."""
        if not self.tables():
            # Stamped with the first write, not on opening: a command refused before it wrote
            # anything leaves no new file behind.
            self._unstamped = not self.read_only
            return
        schema = next((doc for _, doc in self._matching(META_TABLE, {"key": SCHEMA_KEY})), None)
        if schema is None or "version" not in schema:
            raise SchemaVersionError(
                _(
                    "state file {value0} has no schema version (this loancli supports version "
                    "{SCHEMA_VERSION}); {ADVICE}"
                ).format(value0=self.path, SCHEMA_VERSION=SCHEMA_VERSION, ADVICE=_(ADVICE))
            )
        if schema["version"] != SCHEMA_VERSION:
            raise SchemaVersionError(
                _(
                    "state file {value0} has schema version {value1!r}, but this loancli "
                    "supports version {SCHEMA_VERSION}; {ADVICE}"
                ).format(
                    value0=self.path,
                    value1=schema["version"],
                    SCHEMA_VERSION=SCHEMA_VERSION,
                    ADVICE=_(ADVICE),
                )
            )
        # Only a file of this schema can be held to this schema's record types.
        self._check_records()

    def _check_records(self) -> None:
        """Refuse a record that does not fit its type (the backend decides when it looks)."""

    def _refuse(self, exc: RecordProblem) -> StateCorrupt:
        return StateCorrupt(
            _("state file {value0}: {exc}; {ADVICE}").format(
                value0=self.path, exc=exc, ADVICE=_(ADVICE)
            )
        )

    def check(self, table: str, docs: dict[str, Any]) -> None:
        """Check records of ``table`` against its type: StateCorrupt naming the record."""
        try:
            check_table(table, docs)
        except RecordProblem as exc:
            raise self._refuse(exc) from None

    def _require_open(self) -> None:
        if not self._open:
            raise RuntimeError("the store is not open; use it as `with Store(path) as store:`")

    # -- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Batch the writes inside: one unit, written at the end; none on an exception."""
        self._require_open()
        savepoint = self._begin()
        stamping = self._unstamped and self._depth == 0
        if stamping:
            self._unstamped = False
            self._insert(META_TABLE, {"key": SCHEMA_KEY, "version": SCHEMA_VERSION})
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            self._undo(savepoint, self._depth == 0)
            self._unstamped = self._unstamped or stamping
            raise
        self._depth -= 1
        self._end(savepoint, self._depth == 0)

    # -- repository API ------------------------------------------------------------------

    def insert(self, table: str, doc: dict[str, Any]) -> int:
        """Insert `doc` into `table`; return its document id."""
        self._require_open()
        stored = copy(doc)
        with self.transaction():
            return self._insert(table, stored)

    def get(self, table: str, **match: Any) -> Document | None:
        """Return the first document whose fields equal all of `match`, or None."""
        for doc_id, doc in self._matching(table, match):
            return Document(copy(doc), doc_id)
        return None

    def all(self, table: str) -> list[Document]:
        """Return every document of `table`, in insertion order."""
        return self.find(table)

    def find(self, table: str, **match: Any) -> list[Document]:
        """Return the documents whose fields equal all of `match` (all of them if none given)."""
        found = list(self._matching(table, match))
        copies = copy([doc for _, doc in found])
        return [Document(c, doc_id) for (doc_id, _), c in zip(found, copies, strict=True)]

    def upsert(self, table: str, doc: dict[str, Any], **match: Any) -> list[int]:
        """Update the documents matching `match` with `doc`, or insert `doc` if none match."""
        _require_match("upsert", match)
        with self.transaction():
            ids = self.update(table, doc, **match)
            return ids or [self.insert(table, doc)]

    def update(self, table: str, fields: dict[str, Any], **match: Any) -> list[int]:
        """Set `fields` on the documents matching `match`; return their ids. A document that
        already holds them is not written again."""
        _require_match("update", match)
        changes = copy(fields)
        hits = list(self._matching(table, match))
        changed = {
            doc_id: {**doc, **changes}
            for doc_id, doc in hits
            if any(key not in doc or doc[key] != value for key, value in changes.items())
        }
        if changed:
            with self.transaction():
                self._put(table, changed)
        return [doc_id for doc_id, _ in hits]

    def remove(self, table: str, **match: Any) -> list[int]:
        """Remove the documents matching `match`; return their ids."""
        _require_match("remove", match)
        gone = {doc_id for doc_id, _ in self._matching(table, match)}
        if gone:
            with self.transaction():
                self._delete(table, gone)
        return sorted(gone)

    def remove_ids(self, table: str, doc_ids: set[int]) -> None:
        """Remove these documents of `table` (``state prune``)."""
        if doc_ids:
            with self.transaction():
                self._delete(table, doc_ids)

    def meta_get(self, key: str, default: Any = None) -> Any:
        """Return the value stored under `key` in the meta table, or `default`."""
        doc = self.get(META_TABLE, key=key)
        return doc.get("value", default) if doc is not None else default

    def meta_set(self, key: str, value: Any) -> None:
        """Store `value` under `key` in the meta table (no write when it is already there)."""
        self.upsert(META_TABLE, {"key": key, "value": value}, key=key)

    def next_id(self, counter_name: str, prefix: str, width: int = 4) -> str:
        """Advance the persistent counter `counter_name`; return e.g. "A0001", "A0002"... An id
        a record already holds is refused (StateCorrupt), never handed out again."""
        key = f"counter.{counter_name}"
        with self.transaction():
            number = int(self.meta_get(key, 0)) + 1
            new_id = f"{prefix}{number:0{width}d}"
            try:
                taken(lambda table, value: self.get(table, id=value) is not None, key, new_id)
            except RecordProblem as exc:
                raise self._refuse(exc) from None
            self.meta_set(key, number)
        return new_id

    def dump(self) -> Data:
        """Every table as ``{doc_id: document}``, as the JSON file holds it (``state convert``)."""
        return {
            name: {str(doc_id): copy(doc) for doc_id, doc in self._matching(name, {})}
            for name in self.tables()
        }

    def restore(self, data: Data) -> None:
        """Put every document of ``data`` in this empty store, keeping its id, in one unit;
        each record and the rules across them are checked first."""
        with self.transaction():
            for name, docs in data.items():
                self.check(name, docs)
            try:
                check_documents(data)
            except RecordProblem as exc:
                raise self._refuse(exc) from None
            for name, docs in data.items():
                self._put(name, {int(doc_id): copy(doc) for doc_id, doc in docs.items()})


def target_of(path: Path) -> Path:
    """The file a state path names: a symbolic link is followed to its target (which is then
    written in place of the link); anything but a regular file is refused."""
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise StateError(
            _("state file {path} cannot be read: {value0}").format(
                path=path, value0=exc.strerror or exc
            )
        ) from exc
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
            _(
                "state file {path} is {kind}, not a regular file; it was left untouched — point "
                "--db at a file"
            ).format(path=path, kind=kind)
        )
    return target


def _require_match(operation: str, match: dict[str, Any]) -> None:
    if not match:
        raise ValueError(
            _(
                "{operation} needs at least one field to match, e.g. {operation}(table, ..., "
                "id=...)"
            ).format(operation=operation)
        )
