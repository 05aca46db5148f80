"""The repository API over the state file: open it locked, read and write records in units."""

from loancli.store.json_store import SCHEMA_VERSION, Store, default_db_path

__all__ = ["SCHEMA_VERSION", "Store", "default_db_path"]
