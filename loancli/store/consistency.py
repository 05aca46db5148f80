"""The checks across the records of a state file, run when it is opened (records.py checks
each record on its own):

- **Counters.** Each id counter in meta (``counter.applicant``...) is at least the number of
  the highest id in use in its tables, so the next id it hands out is a new one.
- **Unique ids.** No two records of a table share an id (an account its phone, a loan its
  payout).
- **References resolve.** A loan names an applicant, or the checkout flow that paid it out; a
  loan's, card's and contact's phone is an account's; so is an applicant's once it is past the
  login step (a first login that never finished may leave a number without an account); a
  flow's is an account's now or before a phone change (a flow keeps the number it ran under).

The rules read a few fields of each record, its *keys*, from one table,
``document_keys (tbl, field, value, doc_id)``. The SQLite backend keeps that table in the
database file, written by triggers on ``documents`` (so it stays right whatever writes the
file), with a log of the documents written and the keys removed since the file was last found
sound: its checks at open read the log, seeking each logged record's neighbours, so they cost
what changed, not what the file holds (SQL over ``json_extract`` of ``documents`` would parse
every body again: about a second a query at 10,000 applicants, expression indexes
notwithstanding). The JSON backend, whose records are in memory anyway, fills the same table
in an in-memory database and checks all of it with the same SQL.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import msgspec
import msgspec.structs

from loancli.i18n import N_, _
from loancli.masking import mask_phone
from loancli.records import (
    ACCOUNTS,
    APPLICANTS,
    CARDS,
    CONTACTS,
    COUNTER_PREFIX,
    CREDIT,
    FLOWS,
    ID_FIELDS,
    LOANS,
    META,
    RecordProblem,
    record_name,
)

KEYS_TABLE = "document_keys"


class Key(msgspec.Struct, frozen=True):
    """A field of a table's records that a rule reads: ``path`` is the record's field (then
    also its name, ``field``), or ``list[].field`` for a field of each element of a list."""

    table: str
    field: str
    path: str


KEYS = (
    *(Key(table, field, field) for table in (APPLICANTS, FLOWS) for field in ("id", "seq")),
    *(Key(table, field, field) for table in (APPLICANTS, FLOWS) for field in ("phone", "step")),
    *(Key(LOANS, field, field) for field in ("id", "applicant_id", "phone", "payout_id")),
    *(Key(table, field, field) for table in (CARDS, CONTACTS) for field in ("id", "phone")),
    Key(ACCOUNTS, "phone", "phone"),
    Key(ACCOUNTS, "former_phone", "phone_history[].phone"),
    *(Key(CREDIT, field, field) for field in ("id", "loan")),
)
# The fields whose values are phone numbers: masked wherever a message shows them.
PHONE_FIELDS = {"phone", "former_phone"}


class Counter(msgspec.Struct, frozen=True):
    """An id counter (meta ``counter.<name>``) and the fields holding the numbers it gave."""

    name: str
    prefix: str
    fields: tuple[tuple[str, str], ...]


COUNTERS = (
    Counter("applicant", "A", ((APPLICANTS, "id"),)),
    Counter("flow", "F", ((FLOWS, "id"),)),
    Counter("loan", "L", ((LOANS, "id"),)),
    Counter("card", "C", ((CARDS, "id"),)),
    Counter("contact", "K", ((CONTACTS, "id"),)),
    Counter("credit", "R", ((CREDIT, "id"),)),
    # Journeys and flows in the order they were made.
    Counter("record", "", ((APPLICANTS, "seq"), (FLOWS, "seq"))),
)

UNIQUE = (
    (APPLICANTS, "id"),
    (FLOWS, "id"),
    (LOANS, "id"),
    (CARDS, "id"),
    (CONTACTS, "id"),
    (CREDIT, "id"),
    (ACCOUNTS, "phone"),
    # A payout is booked once (loan/loans.py paid_out).
    (LOANS, "payout_id"),
)


class Reference(msgspec.Struct, frozen=True):
    """``table.field`` names a record holding the same value in one of ``targets``; records
    at step ``unless_step`` are let be."""

    table: str
    field: str
    targets: tuple[tuple[str, str], ...]
    problem: str
    unless_step: str | None = None


_NO_ACCOUNT = N_("no account has the number {value}")
REFERENCES = (
    Reference(
        LOANS,
        "applicant_id",
        ((APPLICANTS, "id"), (FLOWS, "id")),
        N_("no applicant or flow has the id {value}"),
    ),
    Reference(LOANS, "phone", ((ACCOUNTS, "phone"),), _NO_ACCOUNT),
    Reference(CARDS, "phone", ((ACCOUNTS, "phone"),), _NO_ACCOUNT),
    Reference(CREDIT, "loan", ((LOANS, "id"),), N_("no loan has the id {value}")),
    Reference(CONTACTS, "phone", ((ACCOUNTS, "phone"),), _NO_ACCOUNT),
    Reference(APPLICANTS, "phone", ((ACCOUNTS, "phone"),), _NO_ACCOUNT, unless_step="login"),
    Reference(
        FLOWS,
        "phone",
        ((ACCOUNTS, "phone"), (ACCOUNTS, "former_phone")),
        N_("no account has or had the number {value}"),
        unless_step="login",
    ),
)

Query = Callable[..., Iterable[tuple[Any, ...]]]


# -- the keys table ----------------------------------------------------------------------

CHANGES_TABLE = f"{KEYS_TABLE}_changes"
# The rules the log was kept for: a file whose log names other rules has every record checked
# again (read from sqlite_master with the rest of the keys' objects).
RULES = hashlib.sha256(
    repr(
        (
            KEYS,
            [(c.name, c.prefix, c.fields) for c in COUNTERS],
            UNIQUE,
            [(r.table, r.field, r.targets, r.unless_step) for r in REFERENCES],
        )
    ).encode()
).hexdigest()[:12]
GONE_TABLE = f"{KEYS_TABLE}_gone"
KEYS_DDL = (
    f"CREATE TABLE {KEYS_TABLE} ("
    " tbl TEXT NOT NULL, field TEXT NOT NULL, value NOT NULL, doc_id INTEGER NOT NULL,"
    " PRIMARY KEY (tbl, field, value, doc_id)) WITHOUT ROWID",
    f"CREATE INDEX {KEYS_TABLE}_doc ON {KEYS_TABLE} (tbl, doc_id)",
    # Canonical ids (A0001... A10000) and whole numbers order by length, then by text.
    f"CREATE INDEX {KEYS_TABLE}_size ON {KEYS_TABLE} (tbl, field, length(value), value)",
    # The log: documents written, and keys removed (by an update, a replace or a delete).
    # In the order written (seq, never reused): a writer forgets only what it checked.
    f"CREATE TABLE {CHANGES_TABLE} /* rules {RULES} */ ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, doc_id INTEGER NOT NULL,"
    " UNIQUE (tbl, doc_id))",
    f"CREATE TABLE {GONE_TABLE} ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, field TEXT NOT NULL,"
    " value NOT NULL, UNIQUE (tbl, field, value))",
)


# SQLite's json_type of a value that can be a key (the SQL twin of a text or number).
_SCALAR = "('text', 'integer', 'real')"


def _by_table() -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """For each table with keys: the table, its top-level key paths as a SQL list, and its
    keys inside an array of objects as (key field, array, field in each object)."""
    out = []
    for table in dict.fromkeys(key.table for key in KEYS):
        keys = [key for key in KEYS if key.table == table]
        fields = ", ".join(f"'{key.path}'" for key in keys if "[]." not in key.path)
        nested = [(key.field, *key.path.split("[].", 1)) for key in keys if "[]." in key.path]
        out.append((table, fields, [(name, array, field) for name, array, field in nested]))
    return out


def _inserts(row: str) -> list[str]:
    """The statements that add the keys of ``row``: ``new`` in a trigger, else each row ``d``
    of ``documents``; one parse of the body per statement. The SQL twin of :func:`keys_of`: a
    value that is not text or a number is no key, and a body that is not JSON has none (it is
    refused when it is read). A null value breaks the NOT NULL of ``value``: OR IGNORE skips
    it."""
    rows = "" if row == "new" else "documents AS d, "
    body = f"CASE WHEN json_valid({row}.body) THEN {row}.body END"
    out = []
    for table, fields, nested in _by_table():
        out.append(
            f"INSERT OR IGNORE INTO {KEYS_TABLE} SELECT {row}.tbl, e.key, e.value, {row}.doc_id"
            f" FROM {rows}json_each({body}) AS e WHERE {row}.tbl = '{table}'"
            f" AND e.key IN ({fields}) AND e.type IN {_SCALAR}"
        )
        for name, array, field in nested:
            out.append(
                f"INSERT OR IGNORE INTO {KEYS_TABLE} SELECT {row}.tbl, '{name}',"
                f" json_extract(e.value, '$.{field}'), {row}.doc_id"
                f" FROM {rows}json_each({body}, '$.{array}') AS e"
                f" WHERE {row}.tbl = '{table}' AND e.type = 'object'"
                f" AND json_type(e.value, '$.{field}') IN {_SCALAR}"
            )
    return out


_TABLES = ", ".join(f"'{table}'" for table in dict.fromkeys(key.table for key in KEYS))


def _fingerprint(rows: str) -> str:
    """One text for a set of (field, value) rows: equal when the keys are."""
    return (
        f"(SELECT group_concat(field || '=' || quote(value), char(31)) FROM"
        f" (SELECT DISTINCT field, value FROM ({rows}) ORDER BY field, value))"
    )


def _key_rows(row: str) -> str:
    """SELECT (field, value) of the keys of a trigger's ``row``, as :func:`_inserts` adds them."""
    # A body that is not JSON has no keys to compare: the insert trigger's WHEN lets json_each
    # refuse it (a hand edit), rather than parse every body twice.
    body = f"{row}.body"
    parts = []
    for table, fields, nested in _by_table():
        parts.append(
            f"SELECT e.key AS field, e.value AS value FROM json_each({body}) AS e"
            f" WHERE {row}.tbl = '{table}' AND e.key IN ({fields}) AND e.type IN {_SCALAR}"
        )
        for name, array, field in nested:
            parts.append(
                f"SELECT '{name}', json_extract(e.value, '$.{field}')"
                f" FROM json_each({body}, '$.{array}') AS e WHERE {row}.tbl = '{table}'"
                f" AND e.type = 'object' AND json_type(e.value, '$.{field}') IN {_SCALAR}"
            )
    return " UNION ALL ".join(parts)


# A document written again with the same keys (a loan whose lines moved on) changes nothing the
# rules read: the insert trigger lets it be.
_STORED_KEYS = f"SELECT field, value FROM {KEYS_TABLE} WHERE tbl = new.tbl AND doc_id = new.doc_id"
_KEYS_CHANGED = f"{_fingerprint(_key_rows('new'))} IS NOT {_fingerprint(_STORED_KEYS)}"


def _forget(row: str) -> list[str]:
    """Log the keys of ``row`` as gone, then remove them."""
    where = f"WHERE tbl = {row}.tbl AND doc_id = {row}.doc_id"
    return [
        f"INSERT OR REPLACE INTO {GONE_TABLE} (tbl, field, value)"
        f" SELECT tbl, field, value FROM {KEYS_TABLE} {where}",
        f"DELETE FROM {KEYS_TABLE} {where}",
    ]


_CHANGED = f"INSERT OR REPLACE INTO {CHANGES_TABLE} (tbl, doc_id) VALUES (new.tbl, new.doc_id)"


def _trigger(name: str, event: str, when: str, statements: list[str]) -> str:
    body = "".join(f" {statement};" for statement in statements)
    return (
        f"CREATE TRIGGER {KEYS_TABLE}_{name} AFTER {event} ON documents WHEN {when} BEGIN{body} END"
    )


# The triggers that keep the keys of ``documents`` and the log. An INSERT OR REPLACE deletes the
# row it replaces without firing the delete trigger, so the insert trigger forgets it first.
TRIGGERS = (
    _trigger(
        "insert",
        "INSERT",
        f"new.tbl IN ({_TABLES}) AND {_KEYS_CHANGED}",
        [*_forget("new"), *_inserts("new"), _CHANGED],
    ),
    _trigger(
        "update",
        "UPDATE",
        f"old.tbl IN ({_TABLES}) OR new.tbl IN ({_TABLES})",
        [*_forget("old"), *_forget("new"), *_inserts("new"), _CHANGED],
    ),
    _trigger("delete", "DELETE", f"old.tbl IN ({_TABLES})", _forget("old")),
)
FORGET_LOG = (f"DELETE FROM {CHANGES_TABLE}", f"DELETE FROM {GONE_TABLE}")
FILL = tuple(_inserts("d"))

# What the triggers do, as statements a writer that keeps the keys itself runs for each record
# (parameters: table, doc id), and for each key (table, field, value, doc id): a large unit of
# loancli's own (``sqlite_store``), from the records it has in memory.
FORGET_KEYS = tuple(
    statement.replace("old.tbl", "?").replace("old.doc_id", "?") for statement in _forget("old")
)
ADD_KEY = f"INSERT OR IGNORE INTO {KEYS_TABLE} VALUES (?, ?, ?, ?)"
LOG_CHANGE = f"INSERT OR REPLACE INTO {CHANGES_TABLE} (tbl, doc_id) VALUES (?, ?)"
KEYED_TABLES = frozenset(key.table for key in KEYS)


def keys_rows(table: str, doc: Any) -> frozenset[tuple[str, Any]]:
    """The (field, value) keys of one document of ``table``, as the triggers find them."""
    return frozenset(
        (key.field, value) for key in _KEYS_OF.get(table, ()) for value in _values(doc, key.path)
    )


_KEYS_OF = {table: tuple(k for k in KEYS if k.table == table) for table in KEYED_TABLES}


def keys_objects() -> dict[str, str]:
    """The keys table, its indexes, the log and the triggers, by name, as sqlite_master holds
    them (each name starts with ``document_keys``)."""
    statements = (*KEYS_DDL, *TRIGGERS)
    return {statement.split(" ")[2]: statement for statement in statements}


def keys_of(data: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str, Any, int]]:
    """The keys of the documents of ``data`` (table -> doc id -> document, or its JSON text
    undecoded: only its key fields are decoded), as the triggers would write them."""
    picked: dict[tuple[str, str], Any] = {}
    for key in KEYS:
        for doc_id, doc in data.get(key.table, {}).items():
            if type(doc) is msgspec.Raw:
                found = picked.get((key.table, doc_id))
                if found is None:
                    found = picked[(key.table, doc_id)] = _key_fields(key.table, doc)
                doc = found
            for value in _values(doc, key.path):
                yield key.table, key.field, value, int(doc_id)


def _key_fields(table: str, text: msgspec.Raw) -> dict[str, Any]:
    """The fields of a record's JSON text that hold its keys (the rest skipped, not decoded)."""
    return msgspec.structs.asdict(_key_decoder(table).decode(text))


@functools.cache
def _key_decoder(table: str) -> msgspec.json.Decoder[Any]:
    fields = sorted({key.path.split("[].")[0] for key in _KEYS_OF[table]})
    return msgspec.json.Decoder(msgspec.defstruct("Keys", [(f, Any, None) for f in fields]))


def _values(doc: Any, path: str) -> Iterator[Any]:
    if "[]." in path:
        array, field = path.split("[].")
        items = doc.get(array)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                yield from _values(item, field)
        return
    value = doc.get(path)
    # A value of another type is the record check's to refuse; it is no key.
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        yield value


def check_documents(data: Mapping[str, Mapping[str, Any]]) -> None:
    """Every rule over ``data`` (table -> doc id -> document, each record already checked on
    its own), through an in-memory keys table; raise the first RecordProblem."""
    check_keys(list(keys_of(data)), counters_of(data.get(META, {})))


def check_keys(keys: list[tuple[str, str, Any, int]], counters: Mapping[str, Any]) -> None:
    """Every rule over the keys of every record (``keys_of``) and the id counters
    (``counters_of``); raise the first RecordProblem."""
    if len(keys) > KEPT_DB_KEYS:
        # A large world: a database of its own, filled first and indexed after (quicker than
        # keeping the index while filling).
        db = sqlite3.connect(":memory:")
        try:
            _make_keys_table(db, keys)
            check(lambda sql, *args: db.execute(sql, args), counters)
        finally:
            db.close()
        return
    kept = _checking_db()
    # Emptied before as well as after: a check cut short (Ctrl-C in a long-lived process)
    # must not leave its keys to the next.
    kept.execute(f"DELETE FROM {KEYS_TABLE}")
    try:
        kept.executemany(f"INSERT INTO {KEYS_TABLE} VALUES (?, ?, ?, ?)", keys)
        check(lambda sql, *args: kept.execute(sql, args), counters)
    finally:
        kept.execute(f"DELETE FROM {KEYS_TABLE}")


# Up to this many keys a world is checked in a database kept for the process, its statements
# prepared once (on a small world, preparing them again was most of the check); past it, one
# of its own is quicker (measured: the two cost the same at 600-900 keys).
KEPT_DB_KEYS = 500
_checking = threading.local()


def _make_keys_table(db: sqlite3.Connection, keys: Iterable[tuple[str, str, Any, int]]) -> None:
    db.execute(f"CREATE TABLE {KEYS_TABLE} (tbl, field, value, doc_id)")
    db.executemany(f"INSERT INTO {KEYS_TABLE} VALUES (?, ?, ?, ?)", keys)
    db.execute(f"CREATE INDEX {KEYS_TABLE}_key ON {KEYS_TABLE} (tbl, field, value, doc_id)")
    db.execute(KEYS_DDL[2])


def _checking_db() -> sqlite3.Connection:
    """This thread's kept database for :func:`check_documents`; its schema made once (a
    schema change would make every statement prepared again). A forked child makes its own:
    a connection does not cross a fork."""
    if getattr(_checking, "pid", None) != os.getpid():
        # Autocommit: no transaction left open between checks.
        db = sqlite3.connect(":memory:", isolation_level=None)
        _make_keys_table(db, [])
        _checking.db, _checking.pid = db, os.getpid()
    kept: sqlite3.Connection = _checking.db
    return kept


# -- the checks -------------------------------------------------------------------------


def counters_of(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The id counters among the meta documents (doc id -> document), by name; refuse a key
    held twice."""
    seen: dict[str, str] = {}
    counters = {}
    for doc_id, doc in settings.items():
        key = doc["key"]
        if key in seen:
            problem = _twice(repr(key), "key", seen[key], doc_id)
            raise RecordProblem(META, record_name(META, doc_id, doc), "key", problem)
        seen[key] = str(doc_id)
        if key.startswith(COUNTER_PREFIX):
            counters[key.removeprefix(COUNTER_PREFIX)] = doc.get("value")
    return counters


def check(
    query: Query, counters: Mapping[str, Any], logged: bool = False, unique: bool = True
) -> None:
    """The rules over the keys ``query`` reads (``query(sql, *args)`` -> rows): for every
    record, or, ``logged``, for the records the log names (written, or naming a key that is
    gone) and the counters; raise the first RecordProblem. ``unique=False`` leaves out the
    unique ids, for a store whose database holds them unique itself (PostgreSQL)."""
    for table, field in UNIQUE if unique else ():
        _check_unique(query, table, field, logged)
    for counter in COUNTERS:
        _check_counter(query, counter, counters.get(counter.name))
    for reference in REFERENCES:
        _check_reference(query, reference, logged)


def _check_unique(query: Query, table: str, field: str, logged: bool) -> None:
    # CROSS JOIN keeps the log the outer loop: without statistics SQLite would go through
    # every key instead.
    found = (
        f"SELECT k.value FROM {CHANGES_TABLE} AS c CROSS JOIN {KEYS_TABLE} AS k"
        " ON k.tbl = c.tbl AND k.doc_id = c.doc_id WHERE k.tbl = ? AND k.field = ?"
        f" AND EXISTS (SELECT 1 FROM {KEYS_TABLE} AS d WHERE d.tbl = k.tbl AND d.field = k.field"
        " AND d.value = k.value AND d.doc_id != k.doc_id) LIMIT 1"
        if logged
        else f"SELECT value FROM {KEYS_TABLE} WHERE tbl = ? AND field = ?"
        " GROUP BY value HAVING count(*) > 1 ORDER BY min(doc_id) LIMIT 1"
    )
    for (value,) in query(found, table, field):
        ((first, second),) = query(
            f"SELECT min(doc_id), max(doc_id) FROM {KEYS_TABLE}"
            " WHERE tbl = ? AND field = ? AND value = ?",
            table,
            field,
            value,
        )
        problem = _twice(_shown(field, value), field, first, second)
        raise RecordProblem(table, _name(query, table, second), field, problem)


def _twice(shown: str, field: str, first: Any, second: Any) -> str:
    return _(
        "{value} is the {field} of documents #{first} and #{second}; each must have its own"
    ).format(value=shown, field=field, first=first, second=second)


def _check_counter(query: Query, counter: Counter, value: Any) -> None:
    start = len(counter.prefix) + 1
    highest: tuple[int, str, str, Any] | None = None
    for table, field in counter.fields:
        for used, number in query(
            f"SELECT value, CAST(substr(value, ?) AS INTEGER) FROM {KEYS_TABLE}"
            " WHERE tbl = ? AND field = ? ORDER BY length(value) DESC, value DESC LIMIT 1",
            start,
            table,
            field,
        ):
            if highest is None or number > highest[0]:
                highest = (number, table, field, used)
    if highest is None or (isinstance(value, int) and value >= highest[0]):
        return
    number, table, field, used = highest
    facts = {"used": repr(used), "field": field, "table": table, "number": number}
    problem = (
        _(
            "missing, while {used} ({field} in table {table!r}) is in use; set it to {number} "
            "or more"
        ).format(**facts)
        if value is None
        else _(
            "{value} is behind {used} ({field} in table {table!r}): the next record would take "
            "a number in use; set it to {number} or more"
        ).format(value=value, **facts)
    )
    raise RecordProblem(META, repr(COUNTER_PREFIX + counter.name), "value", problem)


def _check_reference(query: Query, reference: Reference, logged: bool) -> None:
    source = [reference.table, reference.field]
    if logged:
        # The records written, and those naming a target key that is gone.
        gone = " OR ".join("(g.tbl = ? AND g.field = ?)" for _ in reference.targets)
        candidates = (
            f"SELECT k.doc_id, k.value FROM {CHANGES_TABLE} AS c CROSS JOIN {KEYS_TABLE} AS k"
            " ON k.tbl = c.tbl AND k.doc_id = c.doc_id WHERE k.tbl = ? AND k.field = ?"
            f" UNION SELECT k.doc_id, k.value FROM {GONE_TABLE} AS g CROSS JOIN {KEYS_TABLE} AS k"
            f" ON k.tbl = ? AND k.field = ? AND k.value = g.value WHERE {gone}"
        )
        args: list[Any] = [*source, *source]
        for target in reference.targets:
            args += target
    else:
        candidates = f"SELECT doc_id, value FROM {KEYS_TABLE} WHERE tbl = ? AND field = ?"
        args = list(source)
    targets = "".join(
        f" AND NOT EXISTS (SELECT 1 FROM {KEYS_TABLE} AS t{n}"
        f" WHERE t{n}.tbl = ? AND t{n}.field = ? AND t{n}.value = k.value)"
        for n in range(len(reference.targets))
    )
    for target in reference.targets:
        args += target
    step = ""
    if reference.unless_step is not None:
        step = (
            f" AND NOT EXISTS (SELECT 1 FROM {KEYS_TABLE} AS s WHERE s.tbl = ?"
            " AND s.doc_id = k.doc_id AND s.field = 'step' AND s.value = ?)"
        )
        args += [reference.table, reference.unless_step]
    for doc_id, value in query(
        f"SELECT k.doc_id, k.value FROM ({candidates}) AS k WHERE 1 = 1{targets}{step}"
        " ORDER BY k.doc_id LIMIT 1",
        *args,
    ):
        problem = _(reference.problem).format(value=_shown(reference.field, value))
        name = _name(query, reference.table, doc_id)
        raise RecordProblem(reference.table, name, reference.field, problem)


def _shown(field: str, value: Any) -> str:
    if field in PHONE_FIELDS and isinstance(value, str):
        return repr(mask_phone(value))
    return repr(value)


def _name(query: Query, table: str, doc_id: int) -> str:
    """A record as an error names it, from its keys."""
    field = ID_FIELDS.get(table, "id")
    for (value,) in query(
        f"SELECT value FROM {KEYS_TABLE} WHERE tbl = ? AND doc_id = ? AND field = ?",
        table,
        doc_id,
        field,
    ):
        return record_name(table, doc_id, {field: value})
    return record_name(table, doc_id, {})


def taken(exists: Callable[[str, str], bool], counter_key: str, new_id: str) -> None:
    """Refuse the id the counter ``counter_key`` (``counter.applicant``) is about to hand out
    when a record already holds it, whatever the checks on open found: the new record would
    overwrite that one."""
    for counter in COUNTERS:
        if COUNTER_PREFIX + counter.name != counter_key:
            continue
        for table, field in counter.fields:
            if field == "id" and exists(table, new_id):
                raise RecordProblem(
                    META,
                    repr(counter_key),
                    "value",
                    _(
                        "the next id, {new_id}, is already the id of a record in table "
                        "{table!r}; set the counter to the highest number in use"
                    ).format(new_id=new_id, table=table),
                )
