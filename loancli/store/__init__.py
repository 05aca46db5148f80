"""The repository API over the state: open it (``Store(path)`` picks the backend that claims
the path: an in-memory world, SQLite for ``.sqlite`` and ``.db``, PostgreSQL for a
``postgresql://`` URL, else the TinyDB JSON file; each backend registers itself when this
package imports it), read and write records in commit units."""

from loancli.store.base import (
    DEFAULT_LOCK_TIMEOUT,
    SCHEMA_VERSION,
    SQLITE_SUFFIXES,
    Document,
    Location,
    MemoryState,
    Store,
    default_db_path,
    doc_id_of,
    empty_server,
    gc_paused,
    holds_records,
    location_of,
    missing_state_file,
    state_absent,
    state_empty,
    state_file_kind,
)
from loancli.store.json_store import JsonStore
from loancli.store.memory_store import MemoryStore
from loancli.store.pg_store import PgStore
from loancli.store.sqlite_store import SqliteStore

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "SCHEMA_VERSION",
    "SQLITE_SUFFIXES",
    "state_file_kind",
    "Document",
    "JsonStore",
    "MemoryState",
    "MemoryStore",
    "PgStore",
    "SqliteStore",
    "Store",
    "Location",
    "default_db_path",
    "doc_id_of",
    "empty_server",
    "gc_paused",
    "holds_records",
    "location_of",
    "missing_state_file",
    "state_absent",
    "state_empty",
]
