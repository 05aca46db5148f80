"""The TinyDB backend: the state as one JSON file in TinyDB's layout, loaded once per command.

The file is ``{table: {doc_id: document}}``, so TinyDB itself (and anything that reads JSON)
opens it; it is the one-file world support attaches to a ticket.

- **Loaded once,** and again only when another process has replaced it since (its inode,
  size and time tell): parsed, every record checked (``records.py``) and the rules across
  records (``consistency.py``); reads then scan memory and copy only the documents they
  return.
- **Read lazily when already found sound.** A file of :data:`MEMO_BYTES` or more whose exact
  bytes this user's loancli already checked (``checked.py``) is split into its records'
  JSON text without decoding them; a record is decoded when first read, and a lookup by a
  field decodes only that field of each record. Nothing is checked again. Its records' text
  is written back as it is when another record changes.
- **Written once per unit,** and only when the unit changed something: the file is replaced
  atomically (temporary file, fsync, rename, fsync of the directory) as compact JSON with
  sorted keys, written through a symbolic link to its target. The holder of the lock removes
  the temporary files a killed writer left.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from loancli.dburl import is_server_url
from loancli.errors import StateCorrupt, StateError
from loancli.files import remove_leftovers, replace_file
from loancli.i18n import _
from loancli.records import RecordProblem, Table
from loancli.store import checked
from loancli.store.base import (
    ADVICE,
    MAX_DOC_ID,
    META_TABLE,
    SQLITE_SUFFIXES,
    Changes,
    Data,
    Document,
    R,
    Store,
    copy,
    decode,
    encode,
    gc_paused,
    indexable,
    matches,
    pick_fields,
    refuse_read_only,
)
from loancli.store.consistency import check_documents, check_keys, counters_of, keys_of


class FileStamp(NamedTuple):
    """What changes whenever the file is written: where it is, its size and its times (the
    change time is the system's own, which no program sets back)."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> FileStamp:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)

    def identity(self) -> str:
        return ".".join(map(str, self))


Stamp = FileStamp | None
# A stamp no file has: what a store holds after it refused what it read (read again next).
_UNREAD = FileStamp(-1, -1, -1, -1, -1)
# A JSON state file above this many bytes is read whole by every command: the person is told
# once that its SQLite copy answers faster.
LARGE_FILE_BYTES = 20_000_000
# Bytes above which the garbage collector is paused while the file is decoded and checked: a
# decode makes one object per value, none of them garbage, and collections would walk them all
# again.
GC_PAUSE_BYTES = 1_000_000
# Bytes from which a file found sound is remembered by its digest and then read lazily (a
# smaller one is checked in a few milliseconds).
MEMO_BYTES = GC_PAUSE_BYTES
# A writer says what it changed in a file when that is at most this share of its records.
CLAIM_SHARE = 4
# Only where a file's change time is the system's own record of its last change (elsewhere,
# Windows, it is when the file was made, and a stamp would not tell a later write).
CLAIMS = os.name == "posix"
# The files this process already told about.
_told: set[Path] = set()
# A file's tables with each record's JSON text undecoded.
_split = msgspec.json.Decoder(dict[str, dict[str, msgspec.Raw]])


def _stamp(target: Path) -> Stamp:
    try:
        return FileStamp.of(target.stat())
    except OSError:
        return None


class JsonStore(Store):
    """The state in one TinyDB JSON file."""

    backend = "tinydb"

    @classmethod
    def claims(cls, path: Any) -> bool:
        return (
            isinstance(path, str | os.PathLike)
            and not is_server_url(path)
            and Path(path).suffix.lower() not in SQLITE_SUFFIXES
        )

    def _open_backend(self) -> None:
        self._tidied = False
        self._read()

    def _read(self) -> None:
        loaded = _load(self._target, self.file)
        self._seen = loaded.stamp
        # Each record a dict, or its JSON text until first read (a file found sound before).
        self._data: Data = loaded.data
        self._lazy = loaded.lazy
        self._unchecked = loaded.raw if loaded.key else None
        self._memo_key = loaded.key
        # What a writer said it changed in the file read (checked on its own, then the rules).
        self._claim = loaded.claim
        # The key of the file as read once it is found sound, and what this store wrote to it
        # since (table -> document ids): said of the file it leaves, when it closes.
        self._sound_key = loaded.key if loaded.lazy and loaded.claim is None else None
        self._written: dict[str, set[str]] = {}
        # Each table's JSON as last written, until a unit changes it: a commit encodes only
        # the tables it changed.
        self._encoded_tables: dict[str, bytes] = {}
        # (table, field) -> value -> doc ids, built on the first lookup by that field.
        self._indexes: dict[tuple[str, str], dict[Any, set[str]]] = {}
        # id() of a document decoded from the file's text -> (it, that text): the text is what
        # a write of it is compared with (``_base_of``), not the document encoded again.
        self._texts: dict[int, tuple[Any, msgspec.Raw]] = {}
        if self._seen is not None and self._seen.size > LARGE_FILE_BYTES:
            self._advise_sqlite(self._seen.size)

    def _advise_sqlite(self, size: int) -> None:
        if self.on_notice is None or self._target in _told:
            return
        _told.add(self._target)
        sqlite = self.file.with_suffix(".sqlite")
        self.on_notice(
            _(
                "state file {path} is {size} MB of JSON, which every command reads whole; a "
                "SQLite copy answers faster: loancli state convert {path} {sqlite} (then use "
                "--db {sqlite})"
            ).format(path=self.path, size=size // 1_000_000, sqlite=sqlite)
        )

    def _check_records(self) -> None:
        if self._lazy:
            # These bytes passed these checks before, or are a file found sound with the
            # records a writer says it changed (``checked.py``): those are checked, and the
            # rules across records over every record's keys.
            if self._claim is not None:
                with gc_paused():  # as for a whole check: many objects, no garbage
                    self._check_claim(self._claim)
            return
        # Paused as for the decode: the checks make an object or more per record.
        large = self._seen is not None and self._seen.size > GC_PAUSE_BYTES
        with gc_paused(large):
            for name, docs in self._data.items():
                self.check(name, docs)
            try:
                check_documents(self._data)
            except RecordProblem as exc:
                raise self._refuse(exc) from None
            raw, self._unchecked = self._unchecked, None
            # Remembered only as loancli writes a file: its records' text is then what a
            # lazy read hands back to the file unchanged.
            if self._memo_key is not None and raw is not None and encode(self._data) == raw:
                checked.remember(self._memo_key)
                self._sound_key = self._memo_key

    def _check_claim(self, changed: dict[str, list[str]]) -> None:
        for name, ids in changed.items():
            docs = self._data.get(name, {})
            mine = {i: self._doc(docs, i) for i in ids if i in docs}
            for doc_id, doc in mine.items():
                _check_shape(self.file, name, doc_id, doc)
            self.check(name, mine)
        settings = self._data.get(META_TABLE, {})
        try:
            check_keys(
                list(keys_of(self._data)),
                counters_of({i: self._doc(settings, i) for i in list(settings)}),
            )
        except RecordProblem as exc:
            raise self._refuse(exc) from None
        self._claim = None
        if self._memo_key is not None:
            checked.remember(self._memo_key)
            self._sound_key = self._memo_key

    def _close_backend(self) -> None:
        # Said only of the very file this store last wrote, and only of one it read sound.
        if not (CLAIMS and self._written and self._sound_key is not None):
            return
        now = _stamp(self._target)
        if now is None or now != self._seen or now.size < MEMO_BYTES:
            return
        # A writer that changed a large part of the file says nothing: checking what it wrote
        # would cost about what checking the file whole does.
        written = sum(map(len, self._written.values()))
        if written * CLAIM_SHARE <= sum(map(len, self._data.values())):
            changed = {t: sorted(ids, key=int) for t, ids in sorted(self._written.items())}
            checked.claim(now.identity(), self._sound_key, changed)

    def _doc(self, docs: dict[str, Any], doc_id: str) -> Any:
        """Document ``doc_id`` of a table's ``docs``, decoded on its first read."""
        doc = docs.get(doc_id)
        if type(doc) is msgspec.Raw:
            text = doc
            doc = docs[doc_id] = decode(text)
            self._texts[id(doc)] = (doc, text)
        return doc

    def _base_of(self, table: str, doc_id: int) -> Any:
        # What the file holds as the text it was read from, where the record was not decoded
        # or was decoded from it: all a write compares with (``encode`` writes a text as it
        # is). The file was found sound as loancli writes one, so the text is the record
        # encoded (a text written otherwise only makes an unchanged record written again).
        doc = self._data.get(table, {}).get(str(doc_id))
        read = self._texts.get(id(doc))
        return read[1] if read is not None and read[0] is doc else doc

    def batches(self, table: Table[R], size: int) -> Iterator[list[R]]:
        # The records as the file holds them (the unit has written none of them yet): each
        # copy decoded from its text, the store's own left as text, the base of its write.
        # ``find`` decoded each record for the store, then copied it for the caller.
        self._require_open()
        if self._pending.get(table):
            yield from super().batches(table, size)
            return
        docs = sorted(self._data.get(table, {}).items(), key=lambda item: int(item[0]))
        for start in range(0, len(docs), size):
            batch: list[Any] = [
                Document(decode(doc) if type(doc) is msgspec.Raw else copy(doc), int(key))
                for key, doc in docs[start : start + size]
            ]
            yield batch

    def _locked(self) -> None:
        if not self._tidied:
            remove_leftovers(self._target)
            self._tidied = True

    def _changed(self) -> bool:
        return _stamp(self._target) != self._seen

    def _refresh(self) -> None:
        try:
            self._read()
            self._check_schema()
        except BaseException:
            # What was read was refused: not this store's to write back; the next unit reads
            # the file again (and is refused again while it is as it is), even if it is gone.
            self._seen = _UNREAD
            raise

    def _commit(self, changes: Changes) -> None:
        # Said before anything changes: a record changed in memory and not undone (a unit cut
        # short) reaches the file with the next commit, and must be among those claimed.
        for table, docs in changes.items():
            self._written.setdefault(table, set()).update(map(str, docs))
        undo: list[tuple[str, str, Any, Any]] = []
        try:
            for table, docs in changes.items():
                self._encoded_tables.pop(table, None)
                stored = self._data.setdefault(table, {})
                for doc_id, doc in docs.items():
                    key = str(doc_id)
                    before = stored.get(key)  # its text, if never read: not decoded now
                    undo.append((table, key, before, doc))
                    self._index(table, key, before, doc)
                    if doc is None:
                        stored.pop(key, None)
                    else:
                        # Kept as the text the unit's end encoded it to: the table's JSON is
                        # made of it, not encoded again (decoded again if read again).
                        stored[key] = msgspec.Raw(self._encoded(table, doc_id, doc))
            _write_atomic(self._target, self._file_pieces(), self.file)
        except BaseException:
            for table in changes:
                self._encoded_tables.pop(table, None)
            for table, key, before, doc in reversed(undo):
                self._index(table, key, doc, before)
                if before is None:
                    self._data[table].pop(key, None)
                else:
                    self._data[table][key] = before
            raise
        self._seen = _stamp(self._target)
        self._texts = {}

    def _file_pieces(self) -> list[bytes]:
        """The file's JSON (compact, keys sorted: ``encode`` of every table) in pieces written
        one after the other, each table encoded again only when it changed (a 14 MB file is
        not copied into one buffer again for each commit)."""
        pieces = [b"{"]
        for name in sorted(self._data):
            body = self._encoded_tables.get(name)
            if body is None:
                body = self._encoded_tables[name] = encode(self._data[name])
            pieces += [b"," if len(pieces) > 1 else b"", encode(str(name)), b":", body]
        pieces.append(b"}")
        return pieces

    def _index(self, table: str, doc_id: str, before: Any, after: Any) -> None:
        """Keep the lookup indexes in step with one document's change."""
        for (name, field), index in self._indexes.items():
            if name != table:
                continue
            was, now = _field(before, field), _field(after, field)
            if indexable(was) is not None:
                index.get(was, set()).discard(doc_id)
            if indexable(now) is not None:
                index.setdefault(now, set()).add(doc_id)

    def _candidates(self, table: str, match: dict[str, Any]) -> list[tuple[str, Any]]:
        """The documents an index narrows ``match`` to (all of the table without one)."""
        docs = self._data.get(table, {})
        for field, value in match.items():
            # An index in memory per field looked up by a value (a loan's credit entries by
            # ``loan``, say, once for each loan of a clock pass), built on its first use.
            if indexable(value) is not None:
                index = self._indexes.get((table, field))
                if index is None:
                    index = {}
                    for doc_id, doc in docs.items():
                        found = _field(doc, field)
                        if indexable(found) is not None:
                            index.setdefault(found, set()).add(doc_id)
                    self._indexes[(table, field)] = index
                return [(i, self._doc(docs, i)) for i in sorted(index.get(value, ()), key=int)]
        # In the order of the numbers: the file keeps them in the order of their text ("1",
        # "10", "2"), which a pass over the table must not follow.
        return [(i, self._doc(docs, i)) for i in sorted(docs, key=int)]

    def _scan(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        for doc_id, doc in self._candidates(table, match):
            if matches(doc, match):
                yield int(doc_id), doc

    def _summary_window(
        self, table: str, fields: Mapping[str, str], offset: int, limit: int | None
    ) -> tuple[int, list[dict[str, Any]]] | None:
        # The file is in memory already: pick the shown fields, copying no whole record.
        docs = self._data.get(table, {})
        ids = sorted(docs, key=int)
        end = None if limit is None else offset + limit
        return len(ids), [pick_fields(self._doc(docs, i), fields) for i in ids[offset:end]]

    def _fetch(self, table: str, doc_id: int) -> Any:
        return self._doc(self._data.get(table, {}), str(doc_id))

    def _max_doc_id(self, table: str) -> int:
        return max(map(int, self._data.get(table, {})), default=0)

    def _count(self, table: str) -> int:
        return len(self._data.get(table, {}))

    def _tables(self) -> list[str]:
        return [name for name, docs in self._data.items() if docs]

    def size(self) -> int:
        try:
            return self._target.stat().st_size
        except FileNotFoundError:
            return 0


class Loaded(NamedTuple):
    """A state file as read: its tables (empty for a missing or empty file); its stamp as
    read; whether its records are left undecoded (its bytes found sound before, or a writer
    says which records it changed in a file found sound: ``claim``); for a file to check
    whole that may be remembered once sound, its bytes; and its memo key."""

    data: Data
    stamp: Stamp = None
    lazy: bool = False
    raw: bytes | None = None
    key: str | None = None
    claim: dict[str, list[str]] | None = None


def _load(target: Path, shown: Path) -> Loaded:
    """Parse and check the shape of the whole state file (or, for bytes found sound before,
    split it into its records' text)."""
    try:
        with target.open("rb") as handle:
            # The stamp of the very bytes read (a writer's word is about those).
            stamp = FileStamp.of(os.fstat(handle.fileno()))
            raw = handle.read()
    except FileNotFoundError:
        return Loaded({})
    except OSError as exc:
        raise StateError(
            _("state file {shown} cannot be read: {value0}").format(
                shown=shown, value0=exc.strerror or exc
            )
        ) from exc
    if not raw:
        return Loaded({}, stamp)
    key = None
    if len(raw) >= MEMO_BYTES:
        key = checked.digest(raw)
        known = key is not None and checked.known(key)
        said = None
        if key is not None and not known and CLAIMS:
            said = checked.claimed(stamp.identity())
            if said is not None and said[0].partition(":")[0] != key.partition(":")[0]:
                said = None  # the file it read was found sound by other checks than these
        if known or (said is not None and checked.known(said[0])):
            with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError, RecursionError):
                claim = None if said is None else said[1]
                return Loaded(_split.decode(raw), stamp, lazy=True, key=key, claim=claim)
    try:
        with gc_paused(len(raw) > GC_PAUSE_BYTES):
            data = decode(raw)
    except msgspec.DecodeError:
        # A file msgspec reads is UTF-8 (it refuses other bytes, in a string or out): which
        # of the two is wrong is only asked of a file it refused.
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StateCorrupt(
                _(
                    "state file {shown} is not UTF-8 text (bad byte at offset {value0}); {ADVICE}"
                ).format(shown=shown, value0=exc.start, ADVICE=_(ADVICE))
            ) from None
        raise StateCorrupt(
            _("state file {shown} is not valid JSON ({value0}); {ADVICE}").format(
                shown=shown, value0=_json_position(raw), ADVICE=_(ADVICE)
            )
        ) from None
    if not isinstance(data, dict):
        raise StateCorrupt(
            _(
                "state file {shown} holds a JSON {value0} at the top level where an object of "
                "tables is expected; {ADVICE}"
            ).format(shown=shown, value0=_json_kind(data), ADVICE=_(ADVICE))
        )
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StateCorrupt(
                _(
                    "state file {shown}: table {name!r} is a JSON {value0} where an object of "
                    "documents is expected; {ADVICE}"
                ).format(shown=shown, name=name, value0=_json_kind(table), ADVICE=_(ADVICE))
            )
        for doc_id, doc in table.items():
            _check_shape(shown, name, doc_id, doc)
    return Loaded(data, stamp, raw=raw if key else None, key=key)


def _check_shape(shown: Path, name: str, doc_id: str, doc: Any) -> None:
    # A whole number as loancli writes it: "01" read as 1, and the first write added the
    # record again under "1" (a file refused for good after); one past 2**53 was a traceback
    # in every command (found by a hostile-input hunt).
    if not (
        doc_id.isascii()
        and doc_id.isdigit()
        and (doc_id == "0" or not doc_id.startswith("0"))
        # (Its length first: Python reads no number of more than 4,300 digits.)
        and len(doc_id) <= len(str(MAX_DOC_ID))
        and int(doc_id) <= MAX_DOC_ID
    ):
        raise StateCorrupt(
            _(
                "state file {shown}: table {name!r} has document id {doc_id!r} where a "
                "whole number is expected (written without a leading zero, at most {top}); "
                "{ADVICE}"
            ).format(shown=shown, name=name, doc_id=doc_id, top=MAX_DOC_ID, ADVICE=_(ADVICE))
        )
    if not isinstance(doc, dict):
        raise StateCorrupt(
            _(
                "state file {shown}: table {name!r} document {doc_id} is a JSON {value0} "
                "where an object is expected; {ADVICE}"
            ).format(
                shown=shown,
                name=name,
                doc_id=doc_id,
                value0=_json_kind(doc),
                ADVICE=_(ADVICE),
            )
        )


def _field(doc: Any, field: str) -> Any:
    """A record's ``field`` (None where it has none), the record a dict or its JSON text
    (only that field decoded); a record that is not an object has none (the file's checks
    refuse it)."""
    if type(doc) is msgspec.Raw:
        return _picker(field).decode(doc).value
    return doc.get(field) if isinstance(doc, dict) else None


@functools.cache
def _picker(field: str) -> msgspec.json.Decoder[Any]:
    """A decoder of one field of a record's JSON text (the others skipped, not decoded),
    whatever its name (``a-b``, ``class``: the struct's own is ``value``)."""
    pick = msgspec.defstruct("Pick", [("value", Any, None)], rename={"value": field})
    return msgspec.json.Decoder(pick)


def _json_position(raw: bytes) -> str:
    """Where JSON parsing failed, as line and column (the stdlib parser says so)."""
    import json

    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"line {exc.lineno}, column {exc.colno}"
    except RecursionError:
        return "nested too deeply"
    except ValueError:  # int(): more digits than Python reads (4300)
        return "a number too long to read"
    return "unexpected content"


def _json_kind(value: object) -> str:
    """Name a parsed JSON value's type the way JSON does."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def _write_atomic(target: Path, pieces: list[bytes], shown: Path) -> None:
    """Replace `target` with the ``pieces`` one after the other, durably (``replace_file``).
    A file its owner made read-only (``chmod a-w``), or one this user may not write, is
    refused: the new file would be renamed over it, as the folder allows, and the file's
    mode lost."""
    refuse_read_only(target, shown)
    try:
        replace_file(target, pieces, durable=True)
    except OSError as exc:
        raise StateError(
            _("cannot write state file {shown}: {value0}; it was left as it was").format(
                shown=shown, value0=exc.strerror or exc
            )
        ) from exc
