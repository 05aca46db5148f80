"""The repository API over the state file: open it (``Store(path)`` picks the backend by the
path's suffix), read and write records in commit units."""

from loancli.store.base import (
    DEFAULT_LOCK_TIMEOUT,
    SCHEMA_VERSION,
    SQLITE_SUFFIXES,
    Document,
    Store,
    default_db_path,
)

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "SCHEMA_VERSION",
    "SQLITE_SUFFIXES",
    "Document",
    "Store",
    "default_db_path",
]
