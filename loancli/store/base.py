"""What every backend of the state file shares: opening it safely, the writers' lock, the
schema check, commit units, and the repository API built on a few backend primitives.

``Store(path)`` opens the backend the path names: SQLite for ``.sqlite`` and ``.db`` (large
worlds), else the TinyDB JSON file (the one-file world support attaches to a ticket). Both
hold the same records, keyed the same way, behind the same API::

    with Store(path) as store, store.transaction():
        applicant_id = store.next_id("applicant", "A")
        store.insert("applicants", {"id": applicant_id, "phone": "13800138000", ...})

- **Units.** Writes inside `Store.transaction` are held in memory (reads see them) and reach
  the file together at its end, or not at all; a write outside one is its own unit.
  Transactions nest; an inner one that fails undoes only its own writes.
- **Writers lock per unit, readers never.** A unit holds the file's lock (``lock.py``) from
  its start to its commit, waiting up to ``lock_timeout`` seconds; between units, and while a
  person answers a prompt inside one (:meth:`Store.waiting`), the lock is free, so other
  commands run. A unit that starts, or resumes after a prompt, first catches up with what
  others committed: the records it already changed must still be as it read them, and the
  journeys and flows this store wrote must still be as it left them; else
  :class:`~loancli.errors.StateConflict` and nothing of the unit is written. A reader
  (``read_only``) takes no lock, creates nothing beside the state, writes nothing to it and
  reads the last committed state (a large JSON file it found sound is remembered in the
  user's state folder: ``checked.py``).
- **Nothing it does not understand is touched.** A path that is a directory, device, FIFO or
  socket, a file of another schema, or a record that does not fit its type (``records.py``)
  is refused (exit 4) and left as it is.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import itertools
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, overload

import msgspec

from loancli.dburl import ServerUrl, is_server_url
from loancli.errors import (
    RuleError,
    SchemaVersionError,
    StateConflict,
    StateCorrupt,
    StateError,
    StateLocked,
)
from loancli.files import private_folders
from loancli.i18n import N_, _
from loancli.records import (
    ACCOUNTS,
    APPLICANTS,
    FLOWS,
    META,
    Account,
    Applicant,
    Card,
    Contact,
    CreditEntry,
    Flow,
    Loan,
    Meta,
    OtpCode,
    RecordProblem,
    SmsMessage,
    Table,
    check_table,
)
from loancli.store.consistency import check_documents, taken
from loancli.store.lock import Lock, LockBusy, LockUnavailable

SCHEMA_VERSION = 1
META_TABLE = META
SCHEMA_KEY = "schema"
# How long a writer waits for another writer's lock, in seconds (--lock-timeout).
DEFAULT_LOCK_TIMEOUT = 30.0
SQLITE_SUFFIXES = (".sqlite", ".db")
# The fields the commands look documents up by; each backend indexes them.
LOOKUP_FIELDS = ("id", "phone", "applicant_id", "payout_id", "key")
# The records a command owns while it runs: another process must not change them meanwhile.
OWN_TABLES = (APPLICANTS, FLOWS)
# What names a record uniquely, per table (else its ``id``): two writers must not both add it.
IDENTITY_FIELDS = {ACCOUNTS: "phone", META: "key"}
# Meta values two writers may both move: the later one wins (the clock never goes back).
LATER_WINS = {"clock"}

# How a state file begins: SQLite's header, or a JSON object of tables, the first one empty
# or holding documents by their ids (``{"accounts": {"1": {``), whatever the tables' names
# (another loancli's, TinyDB's own ``_default``).
_SQLITE_HEADER = b"SQLite format 3\x00"
_JSON_STATE = re.compile(rb'\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*\{\s*(?:\}|"[0-9]+"\s*:\s*\{)')


def state_file_kind(path: Path) -> str | None:
    """ "SQLite" or "JSON" when the file at ``path`` is a state file by its first bytes (any
    world, not only this command's), None otherwise or when it cannot be read: an output
    option names it, and loancli never writes over a world."""
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
            if head.startswith(_SQLITE_HEADER):
                return "SQLite"
            # JSON may put any whitespace between its tokens (a file that began with 5,000
            # spaces opened as a world, and an output option wrote over it: found by a
            # hostile-input hunt): the head is read without it, as much as the pattern needs.
            head = head.translate(None, _JSON_SPACE)
            read = len(head)
            while len(head) < _JSON_HEAD and read < _JSON_READ and (more := file.read(65536)):
                read += len(more)
                head += more.translate(None, _JSON_SPACE)
    except OSError:
        return None
    return "JSON" if _JSON_STATE.match(head) else None


# JSON's whitespace (RFC 8259), and how much of a file's head without it is read.
_JSON_SPACE = b" \t\n\r"
_JSON_HEAD = 4096
# At most this much is read for it (a file of nothing but whitespace is no world).
_JSON_READ = 64 << 20


# The highest record number a file may hold: the largest whole number every JSON reader
# keeps exactly (2**53), far below SQLite's 64-bit integers.
MAX_DOC_ID = 2**53

ADVICE = N_("it was left untouched — restore a backup or point --db at a new file")

Data = dict[str, dict[str, Any]]
# A unit's writes: table -> doc id -> the new document, or None where it was removed.
Changes = dict[str, dict[int, Any]]

_encoder = msgspec.json.Encoder(order="sorted")
_decoder = msgspec.json.Decoder()
_ABSENT = object()


class UnitLock(Protocol):
    """What keeps a unit's writers apart: the file's lock, or a database transaction."""

    @property
    def held(self) -> bool: ...

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None: ...

    def release(self) -> None: ...


R = TypeVar("R")


def refuse_read_only(target: Path, shown: object) -> None:
    """A :class:`StateError` (exit 4) for a state file its owner made read-only (``chmod
    a-w``), or one this user may not write: the file is left as it was, its mode too (a JSON
    file was replaced by a new one, 0600, as the folder allowed; root wrote a SQLite one). A
    file that is not there yet passes: it is made."""
    try:
        found = target.stat()
    except OSError:
        return
    mode = found.st_mode
    if not mode & stat.S_IWUSR:
        raise StateError(
            _(
                "cannot write state file {shown}: it is read-only (mode {mode:o}); it was "
                "left as it was (chmod u+w to let loancli change it)"
            ).format(shown=shown, mode=stat.S_IMODE(mode))
        )
    if not os.access(target, os.W_OK):
        # Another user's file, or one on a read-only disk: chmod is not the answer.
        raise StateError(
            _(
                "cannot write state file {shown}: this user may not write it (mode {mode:o}, "
                "owner {owner}); it was left as it was"
            ).format(shown=shown, mode=stat.S_IMODE(mode), owner=found.st_uid)
        )


def default_db_path() -> Path:
    """Return the state file: ``$LOANCLI_DB`` if set, else the user data directory's state.json."""
    env = os.environ.get("LOANCLI_DB")
    if env:
        return Path(env)
    import platformdirs  # only when no --db or LOANCLI_DB names the file

    return platformdirs.user_data_path("loancli") / "state.json"


def encode(value: Any) -> bytes:
    """JSON bytes, keys sorted (so equal data is equal bytes)."""
    return _encoder.encode(value)


def decode(raw: bytes | str) -> Any:
    """JSON text as data; a ``msgspec.DecodeError`` for text that is not JSON, or nested
    deeper than msgspec walks (no record loancli writes is: a damaged or hostile file)."""
    try:
        return _decoder.decode(raw)
    except RecursionError:
        raise msgspec.DecodeError("JSON nested too deeply") from None


def copy(value: Any) -> Any:
    """A deep copy of JSON data, and the check that it is JSON (before any file is touched)."""
    try:
        return _decoder.decode(_encoder.encode(value))
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"not JSON data: {exc}") from None


@contextlib.contextmanager
def gc_paused(pause: bool = True) -> Iterator[None]:
    """The garbage collector off for the block (when ``pause``), on again after, as it was:
    around work that makes many objects and no cycles to collect (decoding a large file, a
    clock pass over 10,000 loans), where each collection would walk them all again (a third
    of such a pass)."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        # What the block made lives as long as the command: frozen, the collector never walks
        # it again (enabled, its first collection walked every object the block made).
        gc.freeze()
        gc.enable()


def matches(doc: Any, match: dict[str, Any]) -> bool:
    """Whether every field of ``match`` is present in ``doc`` and equal (null included), a
    boolean only to a boolean (``True`` is not ``1``, as in JSON and in the indexes, which
    answer a lookup by any field's text or whole number)."""
    return all(
        key in doc and doc[key] == value and isinstance(doc[key], bool) == isinstance(value, bool)
        for key, value in match.items()
    )


_memory_numbers = itertools.count(1)


class MemoryState:
    """The records of an in-memory world (``memory_store.py``), shared by every store opened
    on it: what an ephemeral run (a story, ``loancli check``) keeps its world in."""

    def __init__(self) -> None:
        self.data: Data = {}
        # Bumped by every commit: how a store sees that another one wrote.
        self.generation = 0
        self.name = f"memory:{next(_memory_numbers)}"

    def __repr__(self) -> str:
        return self.name


Location = Path | ServerUrl | MemoryState


def location_of(state: str | os.PathLike[str] | ServerUrl | MemoryState | None) -> Location:
    """Where a world lives: a file (``state.json``, ``state.sqlite``), a PostgreSQL server
    (``postgresql://...``), or memory; ``$LOANCLI_DB``, else the default file, for None."""
    if state is None:
        env = os.environ.get("LOANCLI_DB")
        return location_of(env) if env else default_db_path()
    if isinstance(state, ServerUrl | MemoryState):
        return state
    if isinstance(state, str) and is_server_url(state):
        return ServerUrl(state)
    return Path(state)


def holds_records(where: Location) -> bool:
    """Whether ``where`` holds a world already (a file with bytes, a server or memory world
    with records): a story or a replay runs only in a fresh one."""
    if isinstance(where, Path):
        return where.exists() and where.stat().st_size > 0
    if isinstance(where, MemoryState):
        return any(where.data.values())
    with Store(where, read_only=True) as store:
        return bool(store.tables())


class Document(dict[str, Any]):
    """A copy of a stored document, with the number it is keyed by (``doc_id``)."""

    def __init__(self, value: dict[str, Any], doc_id: int) -> None:
        super().__init__(value)
        self.doc_id = doc_id


def doc_id_of(record: Mapping[str, object]) -> int:
    """The number the store keys a record by, for a record the store returned (``get``,
    ``find``, ``all``; a typed record is a :class:`Document` at run time)."""
    if not isinstance(record, Document):
        raise TypeError("not a record read from the store")
    return record.doc_id


class Store:
    """The state file, open for one command: ``with Store(path) as store:``.

    ``create_dirs`` creates a missing parent directory (the default location); otherwise a
    missing directory is refused naming the path. ``on_wait`` is told once, with a sentence,
    when a writer has to wait for another writer's lock; ``command`` is how this process is
    named to a writer that waits for it (``loancli apply``); ``on_notice`` is told advice about
    the file itself (a large JSON file).
    """

    backend: ClassVar[str] = ""
    # Whether the backend runs one writer's unit at a time (a file's lock, a memory world);
    # a server's writers run at once, each holding only the records it wrote.
    writers_take_turns: ClassVar[bool] = True
    # Whether :meth:`flush` hands a unit's writes to an open transaction before its end
    # (SQLite); the others keep them until the unit ends.
    flushes: ClassVar[bool] = False

    # The backends, each registered by its own module (``store/__init__`` imports them all):
    # the first whose ``claims`` says yes opens the path.
    _backends: ClassVar[list[type[Store]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Store._backends.append(cls)

    @classmethod
    def claims(cls, path: Any) -> bool:
        """Whether this backend opens ``path``."""
        return False

    def __new__(cls, path: Any = None, *args: Any, **kwargs: Any) -> Any:
        if cls is Store:
            chosen = location_of(path)
            found = next((b for b in Store._backends if b.claims(chosen)), None)
            if found is None:
                raise TypeError(f"no state backend opens {chosen!r}")
            cls = found
        return super().__new__(cls)

    def __init__(
        self,
        path: str | os.PathLike[str] | ServerUrl | MemoryState | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        *,
        read_only: bool = False,
        create_dirs: bool = True,
        on_wait: Callable[[str], None] | None = None,
        command: str = "",
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        where = location_of(path)
        # What messages name: the file, a server (its password masked), or the memory world.
        self.path: Path | ServerUrl = Path(where.name) if isinstance(where, MemoryState) else where
        self.lock_timeout = lock_timeout
        self.read_only = read_only
        self.create_dirs = create_dirs
        self.on_wait = on_wait
        # Told, with a sentence, what the person may want to know about the file (a JSON
        # file large enough that SQLite would serve it faster).
        self.on_notice = on_notice
        self.command = command
        self._lock: UnitLock | None = None
        self._open = False
        self._depth = 0
        # Work the next outermost unit does first, within it (:meth:`before_first_unit`).
        self._prelude: Callable[[], object] | None = None
        self._unstamped = False
        # Settings written with the schema version when this store stamps a new file (the
        # file's password-hashing grade): key -> value. A file already stamped keeps its own.
        self.stamp: dict[str, object] = {}
        self._told_waiting = False
        # The unit in progress: its writes (table -> doc id -> document or None), what each
        # written document was in the file when the unit first wrote it, the undo log of
        # nested units, and the next document id per table.
        self._pending: Changes = {}
        self._bases: dict[tuple[str, int], Any] = {}
        self._undo_log: list[tuple[str, int, Any]] = []
        self._next_ids: dict[str, int] = {}
        # (table, lookup field) -> value -> doc ids of the unit's writes, built on the first
        # lookup by that field: a pass that writes 10,000 loans finds each by its id without
        # going through all the others.
        self._pending_index: dict[tuple[str, str], dict[Any, set[int]]] = {}
        # The file's last document number per table, as the unit last read it.
        self._committed_max: dict[str, int] = {}
        # The journeys and flows this store committed, as written: they must still be so when
        # it next writes.
        self._mine: dict[tuple[str, int], bytes] = {}
        # The JSON of each document the committing unit writes, made once.
        self._encodings: dict[tuple[str, int], bytes] = {}
        # Whether the unit handed writes to the backend's open transaction (``flush``); its
        # journeys and flows so written (what ``_mine`` takes when it commits); whether a
        # flush failed (the unit then ends in an error).
        self._flushed = False
        self._flushed_mine: dict[tuple[str, int], bytes | None] = {}
        self._broken = False
        # How many times a unit reached the file (what a benchmark or a test may count).
        self.writes = 0

    @property
    def file(self) -> Path:
        """The state file (a file backend's, or the memory world's name)."""
        if not isinstance(self.path, Path):
            raise TypeError(f"{self.path} is not a file")
        return self.path

    # -- backend primitives: the committed state -----------------------------------------

    def _open_backend(self) -> None:
        """Read or connect to the file at ``self._target`` (it may not exist)."""
        raise NotImplementedError

    def _close_backend(self) -> None:
        """Release what the backend holds."""

    def _scan(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        """(doc id, committed document) for the documents whose fields equal all of
        ``match``, by doc id; a document may be yielded unchecked only by the backend that
        checks on load."""
        raise NotImplementedError

    def _fetch(self, table: str, doc_id: int) -> Any:
        """The committed document ``doc_id`` of ``table``, or None."""
        raise NotImplementedError

    def _max_doc_id(self, table: str) -> int:
        raise NotImplementedError

    def _count(self, table: str) -> int:
        raise NotImplementedError

    def _tables(self) -> list[str]:
        raise NotImplementedError

    def _changed(self) -> bool:
        """Whether another process committed since this store last read the file."""
        raise NotImplementedError

    def _refresh(self) -> None:
        """Read what other processes committed (called with the lock held)."""
        raise NotImplementedError

    def _commit(self, changes: Changes) -> None:
        """Write ``changes`` to the file as one unit, or nothing (called with the lock)."""
        raise NotImplementedError

    def _flush(self, changes: Changes) -> bool:
        """Write ``changes`` inside the backend's transaction, left open for the unit's end
        (``_commit``, or ``_abort``); False where the backend keeps them pending instead."""
        return False

    def _abort(self) -> None:
        """Undo what :meth:`_flush` wrote: the unit failed."""

    def _locked(self) -> None:
        """The lock was just taken (a backend may tidy up what only the holder may touch)."""

    def _begin_unit(self, whole_world: bool) -> None:
        """A unit is about to start (``transaction(whole_world=...)``)."""

    def size(self) -> int:
        """The bytes the state takes on disk."""
        raise NotImplementedError

    @property
    def database_schema(self) -> int | None:
        """A server's own schema version (None for a file or memory)."""
        return None

    def preload(self, *tables: str) -> None:
        """Read these tables whole, once, for a pass over every record of them (``clock
        advance``): a backend that reads records one at a time (SQLite) then answers their
        lookups from memory until the file changes. The others hold everything already."""

    # -- opening and closing -------------------------------------------------------------

    def __enter__(self) -> Store:
        self._target = target_of(self.file)
        if not self.read_only:
            self._prepare_directory()
            self._lock = Lock(Path(str(self._target) + ".lock"), self.command)
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
            private_folders(parent)
        except OSError as exc:
            raise StateError(
                _("cannot create the directory {parent} for state file {value0}: {value1}").format(
                    parent=parent, value0=self.path, value1=exc.strerror or exc
                )
            ) from exc

    def _acquire(self) -> None:
        """Take the writers' lock, waiting up to ``lock_timeout`` (saying once for whom)."""
        assert self._lock is not None

        def waiting(holder: str) -> None:
            if self.on_wait is None or self._told_waiting:
                return
            self._told_waiting = True
            self.on_wait(
                _(
                    "state file {path} is in use by another loancli process{holder}; waiting up "
                    "to {seconds:g} s"
                ).format(
                    path=self.path,
                    holder=f" ({holder})" if holder else "",
                    seconds=self.lock_timeout,
                )
            )

        try:
            self._lock.acquire(self.lock_timeout, waiting)
        except LockBusy as exc:
            raise StateLocked(
                _(
                    "state file {value0} is still locked by another loancli process{holder} after "
                    "{value1:g} s; try again when it has finished, or wait longer with "
                    "--lock-timeout"
                ).format(
                    value0=self.path,
                    holder=f" ({exc.holder})" if exc.holder else "",
                    value1=self.lock_timeout,
                )
            ) from None
        except LockUnavailable as exc:
            raise StateError(
                _("cannot lock state file {value0} (lock file {value1}): {value2}").format(
                    value0=self.path, value1=exc.path, value2=exc.reason
                )
            ) from None
        try:
            self._locked()
        except BaseException:
            self._lock.release()
            raise

    def _check_schema(self) -> None:
        """Stamp a new file with SCHEMA_VERSION; refuse a file stamped otherwise or not at all."""
        if not self.tables():
            # Stamped with the first write, not on opening: a command refused before it wrote
            # anything leaves no new file behind.
            self._unstamped = not self.read_only
            return
        self._unstamped = False
        schema = next((doc for _, doc in self._scan(META_TABLE, {"key": SCHEMA_KEY})), None)
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
        return self.corrupt(str(exc))

    def corrupt(self, problem: str) -> StateCorrupt:
        """What the file is refused with for ``problem`` (exit 4): where, what, and that it
        was left as it was."""
        return StateCorrupt(
            _("state file {value0}: {exc}; {ADVICE}").format(
                value0=self.path, exc=problem, ADVICE=_(ADVICE)
            )
        )

    def check(self, table: str, docs: dict[str, Any]) -> None:
        """Check records of ``table`` against its type: StateCorrupt naming the record."""
        try:
            check_table(table, docs)
        except RecordProblem as exc:
            raise self._refuse(exc) from None

    @property
    def unstamped(self) -> bool:
        """Whether the open file is new: nothing written to it yet (its first write stamps it
        with the schema version and :attr:`stamp`)."""
        return self._unstamped

    def _require_open(self) -> None:
        if not self._open:
            raise RuntimeError("the store is not open; use it as `with Store(path) as store:`")

    # -- units -----------------------------------------------------------------------------

    def transaction(self, whole_world: bool = False) -> _Unit:
        """Batch the writes inside: one unit, written at the end; none on an exception.

        ``whole_world`` says the unit moves the whole world (the clock): a backend whose
        writers run at once (PostgreSQL) runs it alone; the file backends run every unit
        alone anyway. Only the outermost unit's say counts."""
        return _Unit(self, whole_world)

    def before_first_unit(self, prelude: Callable[[], object] | None) -> None:
        """Run ``prelude`` at the start of the next outermost unit, inside it, that unit then
        running alone (``whole_world``); None takes it back. For work a command must do
        before its first write and never without it: a run's clock pass before its first
        step, on a server where each step commits alone (a run refused before it wrote
        anything then writes nothing, the pass neither)."""
        self._prelude = prelude

    def _enter_unit(self, whole_world: bool) -> tuple[int, dict[str, int], bool]:
        """Begin a unit (or one inside the open one): what leaving it on an exception undoes
        to (the undo log's length, the next ids, whether it stamped the file)."""
        self._require_open()
        outermost = self._depth == 0
        if outermost:
            self._begin_unit(whole_world)
            self._start_unit()
        mark, next_ids = len(self._undo_log), dict(self._next_ids)
        stamping = self._unstamped and outermost
        if stamping:
            self._unstamped = False
            schema = {"key": SCHEMA_KEY, "version": SCHEMA_VERSION}
            self._write(META_TABLE, self._new_doc_id(META_TABLE), schema)
            for key, value in self.stamp.items():
                setting = {"key": key, "value": value}
                self._write(META_TABLE, self._new_doc_id(META_TABLE), setting)
        self._depth += 1
        return mark, next_ids, stamping

    def _leave_unit(self, undo: tuple[int, dict[str, int], bool], failed: bool) -> None:
        """End a unit: the outermost one is written (or, ``failed``, dropped); one inside
        another that failed undoes its own writes only."""
        mark, next_ids, stamping = undo
        self._depth -= 1
        outermost = self._depth == 0
        if failed:
            self._undo_to(mark)
            self._next_ids = next_ids
            self._unstamped = self._unstamped or stamping
            if outermost:
                self._end_unit(commit=False)
            return
        if outermost:
            try:
                self._end_unit(commit=True)
            except BaseException:
                # Nothing reached the file, the schema stamp neither: the next unit stamps.
                self._unstamped = self._unstamped or stamping
                raise

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Around a prompt: the lock is free while a person thinks; afterwards the unit catches
        up with what others committed meanwhile (:class:`StateConflict` if they changed what
        it changed)."""
        if self._lock is None or not self._lock.held:
            yield
            return
        if self._flushed:
            # Its writes so far hold the backend's transaction open: no one could write
            # while the person thinks.
            raise RuntimeError("a unit that flushed its writes cannot wait for a person")
        self._lock.release()
        try:
            yield
        finally:
            self._acquire()
            try:
                self._catch_up()
            except BaseException:
                self._lock.release()
                raise

    def _start_unit(self) -> None:
        if self.read_only or self._lock is None:
            return
        self._acquire()
        try:
            self._catch_up()
        except BaseException:
            self._lock.release()
            raise

    def _end_unit(self, commit: bool) -> None:
        committed = False
        try:
            if commit and self._broken:
                # A flush of this unit failed (and undid the ones before it): the rest alone
                # must not reach the file.
                raise self._broken_unit()
            changes = self._effective_changes() if commit else {}
            if changes or (commit and self._flushed):
                if self.read_only:
                    raise RuntimeError(f"state file {self.path} was opened read-only")
                self._commit(changes)
                self.writes += 1
                for key, written in {**self._flushed_mine, **self._own_writes(changes)}.items():
                    if written is None:
                        self._mine.pop(key, None)
                    else:
                        self._mine[key] = written
            committed = commit
        finally:
            if self._flushed and not committed:
                # What the unit flushed is undone, however it ended (its last writes refused
                # before the commit, say): the next unit must not inherit the transaction.
                self._abort()
            self._flushed = self._broken = False
            self._flushed_mine = {}
            self._pending, self._bases, self._undo_log, self._next_ids = {}, {}, [], {}
            self._pending_index = {}
            self._encodings = {}
            self._committed_max = {}
            if self._lock is not None:
                self._lock.release()

    def _own_writes(self, changes: Changes) -> dict[tuple[str, int], bytes | None]:
        """The journeys and flows ``changes`` writes, as written (None: removed)."""
        return {
            (table, doc_id): None if doc is None else self._encoded(table, doc_id, doc)
            for table in OWN_TABLES
            for doc_id, doc in changes.get(table, {}).items()
        }

    def _broken_unit(self) -> StateError:
        return StateError(
            _(
                "state file {path}: a write of this command failed before it ended; "
                "nothing of it was written"
            ).format(path=self.path)
        )

    def flush(self) -> None:
        """Hand the unit's writes so far to the backend's open transaction and forget them
        here, so a unit that writes a whole world (a clock pass over 10,000 loans) holds a
        slice of it in memory, not all of it. The unit still reaches the file whole at its end,
        or not at all. A backend that cannot (TinyDB, the memory world, PostgreSQL) keeps
        them; so does a unit inside another, whose failure must undo only its own writes."""
        self._require_unit()
        if self._depth != 1 or self.read_only:
            return
        if self._broken:
            raise self._broken_unit()
        if not self.flushes:
            # Nothing to hand over: finding the changes would encode every write held so
            # far once more for each batch of a pass.
            return
        changes = self._effective_changes()
        try:
            if not changes or not self._flush(changes):
                return
        except BaseException:
            self._broken = True
            raise
        self._flushed = True
        # Remembered as this store's own once the unit commits, not before.
        self._flushed_mine.update(self._own_writes(changes))
        for name, docs in self._pending.items():
            if not docs:  # a table an inner unit wrote and undid
                continue
            # What is written now is the file's as far as this unit is concerned: a number
            # past the highest in the file now, or in the unit (a record it removed since
            # included), is new, and only such a number is given next, as without the flush.
            top = max(self._max_doc_id(name), max(docs))
            self._committed_max[name] = max(self._committed_max.get(name, 0), top)
            self._next_ids[name] = max(self._next_ids.get(name, 0), top + 1)
        self._pending, self._bases, self._undo_log = {}, {}, []
        self._pending_index = {}
        self._encodings = {}

    def batches(self, table: Table[R], size: int) -> Iterator[list[R]]:
        """Every record of ``table`` in insertion order, ``size`` at a time, each a copy the
        caller owns (as :meth:`all`): with :meth:`flush` after each batch, a pass over a large
        table holds one batch in memory (SQLite), not the table."""
        records: list[R] = self.find(table)
        for start in range(0, len(records), size):
            yield records[start : start + size]

    def _effective_changes(self) -> Changes:
        """The unit's writes that change the file (a document written back as it was is not).
        Each written document's JSON is kept for the commit (:meth:`_encoded`)."""
        out: Changes = {}
        self._encodings = {}
        for table, docs in self._pending.items():
            for doc_id, doc in docs.items():
                base = self._bases.get((table, doc_id))
                if doc is None:
                    if base is not None:
                        out.setdefault(table, {})[doc_id] = doc
                    continue
                body = encode(doc)
                if base is not None and body == self._encoded_base(table, doc_id, base):
                    continue
                self._encodings[(table, doc_id)] = body
                out.setdefault(table, {})[doc_id] = doc
        return out

    def _encoded(self, table: str, doc_id: int, doc: Any) -> bytes:
        """The JSON of a document the unit writes (encoded once, when its changes were found)."""
        body = self._encodings.get((table, doc_id))
        return encode(doc) if body is None else body

    def _encoded_base(self, table: str, doc_id: int, base: Any) -> bytes:
        """The JSON of what the file held (a backend may have it as it was read)."""
        return encode(base)

    def _catch_up(self) -> None:
        """With the lock held: read what others committed since this store last looked; the
        journeys and flows it wrote and the records its unit changed must be as it saw them."""
        if not self._changed():
            return
        self._refresh()
        self._committed_max = {}
        for (table, doc_id), written in self._mine.items():
            now = self._fetch(table, doc_id)
            if now is None or encode(now) != written:
                raise self._conflict(table, doc_id, written)
        for table, docs in list(self._pending.items()):
            for doc_id in list(docs):
                self._rebase(table, doc_id)

    def _rebase(self, table: str, doc_id: int) -> None:
        """Check one of the unit's writes against the file as it is now."""
        base = self._bases.get((table, doc_id))
        now = self._fetch(table, doc_id)
        mine = self._pending[table][doc_id]
        if base is None:
            taken = self._same_identity(table, mine) if mine is not None else None
            if taken is not None:
                # Both added it: the very same record (the schema) is kept once, a clock
                # keeps the later time, anything else is a conflict.
                self._forget(table, doc_id)
                taken_id, now = taken
                if encode(now) == encode(mine):
                    return
                if not self._merge(table, taken_id, now, mine):
                    raise self._conflict(table, doc_id, encode(mine))
            elif now is not None:  # another writer added a document under the same number
                self._move(table, doc_id, self._new_doc_id(table, fresh=True))
            return
        if now is not None and encode(now) == encode(base):
            return
        if now is None or mine is None or not self._merge(table, doc_id, now, mine):
            raise self._conflict(table, doc_id, encode(base))

    def _merge(self, table: str, doc_id: int, now: Any, mine: Any) -> bool:
        """Write over ``now`` what two writers may both change (the later clock wins)."""
        merged = self._merged(table, now, mine)
        if merged is None:
            return False
        self._pending_index = {}
        self._pending.setdefault(table, {})[doc_id] = merged
        self._bases[(table, doc_id)] = now
        return True

    @staticmethod
    def _merged(table: str, now: Any, mine: Any) -> Any:
        """``mine`` written over ``now`` where two writers may both change it (a clock keeps
        the later time); None where they may not."""
        key = mine.get("key") if table == META_TABLE else None
        if key not in LATER_WINS or not isinstance(mine.get("value"), str):
            return None
        return {**mine, "value": _later(now.get("value"), mine["value"])}

    def _same_identity(self, table: str, doc: Any) -> tuple[int, Any] | None:
        """The committed record that has the identity of ``doc`` (its id, phone or key)."""
        field = IDENTITY_FIELDS.get(table, "id")
        value = doc.get(field) if isinstance(doc, dict) else None
        if not isinstance(value, str) or not value:
            return None
        return next(iter(self._scan(table, {field: value})), None)

    def _forget(self, table: str, doc_id: int) -> None:
        self._pending_index = {}
        del self._pending[table][doc_id]
        self._bases.pop((table, doc_id), None)
        self._undo_log = [e for e in self._undo_log if (e[0], e[1]) != (table, doc_id)]

    def _move(self, table: str, old: int, new: int) -> None:
        self._pending_index = {}
        docs = self._pending[table]
        docs[new] = docs.pop(old)
        self._bases[(table, new)] = self._bases.pop((table, old), None)
        self._undo_log = [
            (t, new if (t, i) == (table, old) else i, prev) for t, i, prev in self._undo_log
        ]

    def _conflict(self, table: str, doc_id: int, seen: bytes) -> StateConflict:
        doc = decode(seen) if seen else {}
        field = IDENTITY_FIELDS.get(table, "id")
        name = doc.get(field) if isinstance(doc, dict) else None
        shown = _masked(field, name) if isinstance(name, str) else f"#{doc_id}"
        return StateConflict(
            _(
                "state file {path}: {table} record {record} was changed by another loancli "
                "process while this one was running; nothing more of this command was written — "
                "look at the record and run the command again"
            ).format(path=self.path, table=table, record=shown)
        )

    def _undo_to(self, mark: int) -> None:
        self._pending_index = {}
        while len(self._undo_log) > mark:
            table, doc_id, previous = self._undo_log.pop()
            docs = self._pending[table]
            if previous is _ABSENT:
                del docs[doc_id]
            else:
                docs[doc_id] = previous

    def _write(self, table: str, doc_id: int, doc: Any) -> None:
        """Hold a write (a document, or None to remove it) in the unit."""
        docs = self._pending.setdefault(table, {})
        before = docs.get(doc_id, _ABSENT)
        self._undo_log.append((table, doc_id, before))
        if (table, doc_id) not in self._bases:
            # A number past the file's last one (a new message, say) holds nothing there.
            last = self._committed_max.get(table)
            fresh = last is not None and doc_id > last
            self._bases[(table, doc_id)] = None if fresh else self._base_of(table, doc_id)
        docs[doc_id] = doc
        for (name, field), index in self._pending_index.items():
            if name != table:
                continue
            if isinstance(before, dict) and indexable(before.get(field)) is not None:
                index.get(before[field], set()).discard(doc_id)
            if doc is not None and indexable(doc.get(field)) is not None:
                index.setdefault(doc[field], set()).add(doc_id)

    def _base_of(self, table: str, doc_id: int) -> Any:
        """What the file holds under ``doc_id``, as a write of the unit first finds it."""
        return self._fetch(table, doc_id)

    def _new_doc_id(self, table: str, fresh: bool = False) -> int:
        doc_id = None if fresh else self._next_ids.get(table)
        if doc_id is None:
            pending = self._pending.get(table, {})
            committed = self._max_doc_id(table)
            self._committed_max[table] = committed
            doc_id = max(committed, max(pending, default=0)) + 1
        if doc_id > MAX_DOC_ID:
            # A number past the last a file may hold: written, the file would be refused at
            # its next open (found by a hostile-input hunt, with a hand-edited number).
            raise StateCorrupt(
                _(
                    "state file {shown}: table {name!r} has no record number left (they go up "
                    "to {top}); {ADVICE}"
                ).format(shown=self.path, name=table, top=MAX_DOC_ID, ADVICE=_(ADVICE))
            )
        self._next_ids[table] = doc_id + 1
        return doc_id

    def _require_unit(self) -> None:
        self._require_open()
        if self._depth == 0:
            raise RuntimeError("writes happen inside store.transaction()")

    # -- reading ---------------------------------------------------------------------------

    def _matching(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        """(doc id, document) for the documents whose fields equal all of ``match``: what
        the file holds, with the unit's own writes over it."""
        self._require_open()
        pending = self._pending.get(table)
        if not pending:
            yield from self._scan(table, match)
            return
        found = [(i, d) for i, d in self._scan(table, match) if i not in pending]
        found += [
            (i, d)
            for i, d in self._pending_candidates(table, pending, match)
            if d is not None and matches(d, match)
        ]
        yield from sorted(found, key=lambda item: item[0])

    def _pending_candidates(
        self, table: str, pending: dict[int, Any], match: dict[str, Any]
    ) -> list[tuple[int, Any]]:
        """The unit's writes of ``table`` an index narrows ``match`` to (all without one)."""
        for field, value in match.items():
            # Any field: the index is in memory, built once per unit and field.
            if indexable(value) is not None:
                index = self._pending_index.get((table, field))
                if index is None:
                    index = {}
                    for doc_id, doc in pending.items():
                        if doc is not None and indexable(doc.get(field)) is not None:
                            index.setdefault(doc[field], set()).add(doc_id)
                    self._pending_index[(table, field)] = index
                return [(i, pending[i]) for i in index.get(value, ())]
        return list(pending.items())

    def count(self, table: str) -> int:
        """How many documents `table` holds."""
        self._require_open()
        total = self._count(table)
        for doc_id, doc in self._pending.get(table, {}).items():
            before = self._bases.get((table, doc_id))
            total += (doc is not None) - (before is not None)
        return total

    def tables(self) -> list[str]:
        """The names of the tables that hold documents."""
        self._require_open()
        names = [*self._tables(), *(t for t in self._pending if t not in self._tables())]
        return [name for name in names if self.count(name) > 0]

    # -- repository API ------------------------------------------------------------------

    # Writing takes the table's record type: ``insert(LOANS, {...})`` is checked as a ``Loan``,
    # so a misspelt or missing key is a type error. One overload per typed table, and none
    # for a plain name: a ``Table`` is a ``str``, and a catch-all would accept any mapping for
    # it. A plain name still works at run time (the tests, ``state convert``).
    @overload
    def insert(self, table: Table[Applicant], doc: Applicant) -> int: ...
    @overload
    def insert(self, table: Table[Flow], doc: Flow) -> int: ...
    @overload
    def insert(self, table: Table[Account], doc: Account) -> int: ...
    @overload
    def insert(self, table: Table[Loan], doc: Loan) -> int: ...
    @overload
    def insert(self, table: Table[Card], doc: Card) -> int: ...
    @overload
    def insert(self, table: Table[Contact], doc: Contact) -> int: ...
    @overload
    def insert(self, table: Table[SmsMessage], doc: SmsMessage) -> int: ...
    @overload
    def insert(self, table: Table[OtpCode], doc: OtpCode) -> int: ...
    @overload
    def insert(self, table: Table[Meta], doc: Meta) -> int: ...
    @overload
    def insert(self, table: Table[CreditEntry], doc: CreditEntry) -> int: ...
    def insert(self, table: str, doc: Mapping[str, object]) -> int:
        """Insert `doc` into `table`; return its document id."""
        return self._insert(table, doc)

    def _insert(self, table: str, doc: Mapping[str, object]) -> int:
        self._require_open()
        stored = copy(doc)
        with self.transaction():
            doc_id = self._new_doc_id(table)
            self._write(table, doc_id, stored)
            return doc_id

    # Reading gives the table's record type for a typed table, a Document for a plain name.
    # A Table is a str, so the overloads overlap (ignored below): both give the same dict at run
    # time, and only a Table typed as a plain str would get the wider type.
    @overload
    def get(self, table: Table[R], **match: object) -> R | None: ...  # type: ignore[overload-overlap]
    @overload
    def get(self, table: str, **match: object) -> Document | None: ...
    def get(self, table: str, **match: object) -> Any:
        """Return the first document whose fields equal all of `match`, or None (a copy: a
        record of a typed table is typed as its record, e.g. ``Loan``)."""
        for doc_id, doc in self._matching(table, match):
            return Document(copy(doc), doc_id)
        return None

    @overload
    def all(self, table: Table[R]) -> list[R]: ...  # type: ignore[overload-overlap]
    @overload
    def all(self, table: str) -> list[Document]: ...
    def all(self, table: str) -> Any:
        """Return every document of `table`, in insertion order."""
        return self.find(table)

    @overload
    def find(self, table: Table[R], **match: object) -> list[R]: ...  # type: ignore[overload-overlap]
    @overload
    def find(self, table: str, **match: object) -> list[Document]: ...
    def find(self, table: str, **match: object) -> Any:
        """Return the documents whose fields equal all of `match` (all of them if none given)."""
        found = list(self._matching(table, match))
        copies = self._copies(table, found)
        return [Document(c, doc_id) for (doc_id, _), c in zip(found, copies, strict=True)]

    def _copies(self, table: str, found: list[tuple[int, Any]]) -> list[Any]:
        """Copies of found documents for a caller to keep (a backend may decode them again
        from the text it read, rather than copy)."""
        return list(copy([doc for _, doc in found]))

    @overload
    def upsert(self, table: Table[Applicant], doc: Applicant, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[Flow], doc: Flow, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[Account], doc: Account, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[Loan], doc: Loan, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[Card], doc: Card, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[Contact], doc: Contact, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[SmsMessage], doc: SmsMessage, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[OtpCode], doc: OtpCode, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[Meta], doc: Meta, **match: object) -> list[int]: ...
    @overload
    def upsert(self, table: Table[CreditEntry], doc: CreditEntry, **match: object) -> list[int]: ...
    def upsert(self, table: str, doc: Mapping[str, object], **match: object) -> list[int]:
        """Update the documents matching `match` with `doc`, or insert `doc` if none match."""
        _require_match("upsert", match)
        with self.transaction():
            ids = self.update(table, doc, **match)
            return ids or [self._insert(table, doc)]

    def update(self, table: str, fields: Mapping[str, object], **match: object) -> list[int]:
        """Set `fields` on the documents matching `match`; return their ids. A document that
        already holds them is not written again. (``fields`` is part of a record: a type
        checker cannot hold it to the table's type, which needs every required key.)"""
        _require_match("update", match)
        changes = copy(fields)
        with self.transaction():
            hits = list(self._matching(table, match))
            for doc_id, doc in hits:
                if any(key not in doc or doc[key] != value for key, value in changes.items()):
                    self._write(table, doc_id, {**doc, **changes})
        return [doc_id for doc_id, _ in hits]

    def write_back(self, table: Table[R], record: R) -> None:
        """Write ``record``, one this store returned (``get``, ``find``, ``all``) and the
        caller changed, in place of the stored one, handing it over: the store keeps the
        object itself, not a copy (a clock pass writes 10,000 loans), so the caller must not
        change it afterwards. A record written back as it was changes nothing."""
        doc_id = doc_id_of(record)  # type: ignore[arg-type]  # R: a record type, a dict
        with self.transaction():
            self._write(table, doc_id, record)

    def remove(self, table: str, **match: object) -> list[int]:
        """Remove the documents matching `match`; return their ids."""
        _require_match("remove", match)
        with self.transaction():
            gone = sorted(doc_id for doc_id, _ in self._matching(table, match))
            for doc_id in gone:
                self._write(table, doc_id, None)
        return gone

    def remove_ids(self, table: str, doc_ids: set[int]) -> None:
        """Remove these documents of `table` (``state prune``)."""
        if doc_ids:
            with self.transaction():
                for doc_id in sorted(doc_ids):
                    self._write(table, doc_id, None)

    def meta_get(self, key: str, default: Any = None) -> Any:
        """Return the value stored under `key` in the meta table, or `default`."""
        doc = self.get(META_TABLE, key=key)
        return doc.get("value", default) if doc is not None else default

    def meta_set(self, key: str, value: Any) -> None:
        """Store `value` under `key` in the meta table (no write when it is already there)."""
        self.upsert(META_TABLE, {"key": key, "value": value}, key=key)

    def next_seq(self) -> int:
        """The next number of the file's one order of what was done (meta ``counter.record``):
        journeys and flows when made, and the runs, repayments, re-instalments and objections
        after them, so that a record's story replays them in the order they happened (many
        happen at the same simulated instant)."""
        return int(self.next_id("record", ""))

    def next_id(self, counter_name: str, prefix: str, width: int = 4) -> str:
        """Advance the persistent counter `counter_name`; return e.g. "A0001", "A0002"... An id
        a record already holds is refused (StateCorrupt), never handed out again."""
        key = f"counter.{counter_name}"
        with self.transaction():
            # meta_get and meta_set without their copies and second lookup (a clock pass
            # gives thousands of credit entries their ids): the counter's record, read once.
            found = next(self._matching(META_TABLE, {"key": key}), None)
            number = int(found[1].get("value", 0) if found else 0) + 1
            new_id = f"{prefix}{number:0{width}d}"
            try:
                taken(
                    lambda table, value: (
                        next(self._matching(table, {"id": value}), None) is not None
                    ),
                    key,
                    new_id,
                )
            except RecordProblem as exc:
                raise self._refuse(exc) from None
            if found is None:
                self._insert(META_TABLE, {"key": key, "value": number})
            else:
                self._write(META_TABLE, found[0], {**found[1], "value": number})
        return new_id

    def summaries(
        self,
        table: str,
        fields: Mapping[str, str],
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """How many documents ``table`` holds, and a window of them (``offset``, at most
        ``limit``; all with None) in insertion order, each only the ``fields`` a listing
        shows: output name -> dotted path in the document (``identity.name``), None where it
        is missing. No whole record is copied (``applicants list`` at 10,000 journeys)."""
        self._require_open()
        if not self._pending.get(table):
            window = self._summary_window(table, fields, offset, limit)
            if window is not None:
                return window
        found = list(self._matching(table, {}))
        end = None if limit is None else offset + limit
        return len(found), [pick_fields(doc, fields) for _, doc in found[offset:end]]

    def _summary_window(
        self, table: str, fields: Mapping[str, str], offset: int, limit: int | None
    ) -> tuple[int, list[dict[str, Any]]] | None:
        """The backend's own reading of :meth:`summaries` (None: the generic one)."""
        return None

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
                for doc_id, doc in docs.items():
                    self._write(name, int(doc_id), copy(doc))


def indexable(value: Any) -> Any:
    """A value an index can hold (text or a whole number), else None (every backend's
    in-memory indexes file documents by it)."""
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def pick_fields(doc: Any, fields: Mapping[str, str]) -> dict[str, Any]:
    """The ``fields`` of one document (output name -> dotted path), None where missing."""
    out: dict[str, Any] = {}
    for name, path in fields.items():
        value = doc
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        out[name] = copy(value) if isinstance(value, dict | list) else value
    return out


def _later(stored: Any, mine: str) -> str:
    """The later of two ISO date-times (the stored one when it cannot be read)."""
    try:
        return mine if datetime.fromisoformat(mine) > datetime.fromisoformat(stored) else stored
    except (TypeError, ValueError):
        return mine


def _masked(field: str, value: str) -> str:
    if field == "phone" and len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value


def state_empty(path: Path) -> bool:
    """Whether the state file at ``path`` is there and empty (0 bytes, as ``touch`` or a
    temporary name leave it): a world with nothing in it yet."""
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def state_absent(path: Path) -> bool:
    """Whether no state file is at ``path`` (nor a link to one): a command that reads one
    refuses it as mistyped. A loop of links is not absent: the store says it cannot be read,
    as it says to a writer; a name the system refuses is its ``OSError``."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in it
        return True
    except OSError as exc:
        if exc.errno == errno.EBADF:
            return True
        if exc.errno == errno.ELOOP:
            return False
        raise  # a name the system refuses (too long): the command's "cannot be used"
    return False


def missing_state_file(path: Path) -> RuleError:
    """The refusal of a command that reads a state file that does not exist (naming ``db``)."""
    return RuleError(
        "db",
        _(
            "the state file {value0} does not exist; check the path (a command that writes, "
            "such as loancli apply, creates it)"
        ).format(value0=path),
    )


def empty_server(url: ServerUrl, field: str = "db") -> RuleError:
    """The refusal of a command that reads a server's world where loancli has written
    nothing: most often a mistyped database or ``search_path``, which must not read as an
    empty world (``field``: what named it, ``db`` or a ``state convert``'s ``from``)."""
    return RuleError(
        field,
        _(
            "the world at {value0} holds no loancli data (no loancli tables there); check the "
            "database and its search_path (a command that writes, such as loancli apply, "
            "creates them)"
        ).format(value0=url),
    )


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


def _require_match(operation: str, match: Mapping[str, object]) -> None:
    if not match:
        raise ValueError(
            _(
                "{operation} needs at least one field to match, e.g. {operation}(table, ..., "
                "id=...)"
            ).format(operation=operation)
        )


class _Unit:
    """``with store.transaction():`` (a class, not a generator: a clock pass opens one for
    each of its tens of thousands of writes)."""

    __slots__ = ("store", "whole_world", "undo")

    def __init__(self, store: Store, whole_world: bool) -> None:
        self.store, self.whole_world = store, whole_world

    def __enter__(self) -> Store:
        store = self.store
        prelude = store._prelude if store._depth == 0 else None
        if prelude is None:
            self.undo = store._enter_unit(self.whole_world)
            return store
        store._prelude = None
        self.undo = store._enter_unit(True)
        try:
            prelude()
        except BaseException:
            store._leave_unit(self.undo, failed=True)
            raise
        return store

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        self.store._leave_unit(self.undo, failed=kind is not None)
