"""The repository API over the state file: open it (``Store(path)`` picks the backend that
claims the path: an in-memory world, SQLite for ``.sqlite`` and ``.db``, else the TinyDB JSON
file; each backend registers itself when this package imports it), read and write records in
commit units."""

from loancli.store.base import (
    DEFAULT_LOCK_TIMEOUT,
    SCHEMA_VERSION,
    SQLITE_SUFFIXES,
    Document,
    MemoryState,
    Store,
    default_db_path,
    doc_id_of,
    missing_state_file,
)
from loancli.store.json_store import JsonStore
from loancli.store.memory_store import MemoryStore
from loancli.store.sqlite_store import SqliteStore

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "SCHEMA_VERSION",
    "SQLITE_SUFFIXES",
    "Document",
    "JsonStore",
    "MemoryState",
    "MemoryStore",
    "SqliteStore",
    "Store",
    "default_db_path",
    "doc_id_of",
    "missing_state_file",
]
