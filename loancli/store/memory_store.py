"""A world held in memory: the same records and units as the file backends, no file and no
lock. An ephemeral world (a story run, ``loancli check``) needs no durability: it lives for
one process, in a :class:`MemoryState` every ``Store(state)`` of it opens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from loancli.store.base import Changes, MemoryState, Store, matches


class MemoryStore(Store):
    """A store on a :class:`MemoryState`."""

    backend = "memory"

    @classmethod
    def claims(cls, path: Any) -> bool:
        return isinstance(path, MemoryState)

    def __init__(self, state: MemoryState, *args: Any, **kwargs: Any) -> None:
        super().__init__(state, *args, **kwargs)
        self.memory = state

    def __enter__(self) -> Store:
        # Nothing on disk to look at, prepare or lock.
        self._target = self.file
        self._open_backend()
        self._open = True
        self._check_schema()
        return self

    def _open_backend(self) -> None:
        self._seen = self.memory.generation

    def _changed(self) -> bool:
        return self.memory.generation != self._seen

    def _refresh(self) -> None:
        self._seen = self.memory.generation

    def _commit(self, changes: Changes) -> None:
        data = self.memory.data
        for table, docs in changes.items():
            stored = data.setdefault(table, {})
            for doc_id, doc in docs.items():
                if doc is None:
                    stored.pop(str(doc_id), None)
                else:
                    stored[str(doc_id)] = doc
        self.memory.generation += 1
        self._seen = self.memory.generation

    def _scan(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        # In the order of the numbers, whatever order the world was given them in (a JSON
        # file's is that of their text: "1", "10", "2").
        docs = self.memory.data.get(table, {})
        for doc_id, doc in sorted(docs.items(), key=lambda item: int(item[0])):
            if matches(doc, match):
                yield int(doc_id), doc

    def _fetch(self, table: str, doc_id: int) -> Any:
        return self.memory.data.get(table, {}).get(str(doc_id))

    def _max_doc_id(self, table: str) -> int:
        return max(map(int, self.memory.data.get(table, {})), default=0)

    def _count(self, table: str) -> int:
        return len(self.memory.data.get(table, {}))

    def _tables(self) -> list[str]:
        return [name for name, docs in self.memory.data.items() if docs]

    def size(self) -> int:
        return 0
