"""The store's API is typed by table: a record written with a misspelt key is a type error
(mypy, run on a small module that uses the store as the library does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[3]

# Each line a check is about ends with its mark.
SNIPPET = """\
from loancli.records import ACCOUNTS, Account
from loancli.store import Store

NOW = "2026-03-02T10:00:00+08:00"


def register(store: Store) -> None:
    store.insert(ACCOUNTS, {"phone": "13800138000", "password_hash": "h", "created_at": NOW})


def register_misspelt(store: Store) -> None:
    store.insert(  # misspelt insert
        ACCOUNTS,
        {"phone": "13800138000", "password_hash": "h", "created_at": NOW, "wrong_pasword": 0},
    )


def lock_misspelt(store: Store) -> None:
    account = store.get(ACCOUNTS, phone="13800138000")
    assert account is not None
    account["locked_untill"] = NOW  # misspelt field
    store.upsert(ACCOUNTS, account, phone=account["phone"])


def lock(store: Store) -> Account | None:
    account = store.get(ACCOUNTS, phone="13800138000")
    if account is not None:
        account["locked_until"] = NOW
        store.upsert(ACCOUNTS, account, phone=account["phone"])
    return account
"""


def _line(mark: str) -> int:
    return next(n for n, text in enumerate(SNIPPET.splitlines(), 1) if text.endswith(mark))


def test_a_misspelt_record_key_written_through_the_store_is_a_type_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pytestconfig: pytest.Config
) -> None:
    # The module and mypy's cache are kept between runs (pytest's cache folder): a warm run
    # takes about a second.
    # (``-p no:cacheprovider`` leaves the config without one: then the test's own folder.)
    cache = getattr(pytestconfig, "cache", None)
    folder = cache.mkdir("typed-store") if cache is not None else tmp_path
    module = folder / "uses_store.py"
    module.write_text(SNIPPET, encoding="utf-8")
    monkeypatch.chdir(ROOT)  # loancli from this checkout, as CI's mypy sees it
    out, err, _status = api.run(
        [
            "--strict",
            "--follow-imports=silent",
            "--no-error-summary",
            "--cache-dir",
            str(folder / "mypy"),
            str(module),
        ]
    )
    assert not err, err
    errors: dict[int, str] = {}
    for found in re.finditer(r"^\S*uses_store\.py:(\d+): error: (.*)$", out, re.M):
        errors[int(found[1])] = errors.get(int(found[1]), "") + found[2]

    # A record read from the table is an Account: the misspelt key is named.
    field = _line("# misspelt field")
    assert 'TypedDict "Account" has no key "locked_untill"' in errors.get(field, ""), out
    # A record written to the table is held to Account: with a misspelt key it fits no
    # overload of insert (which lists Account's), with the right keys it does.
    insert = _line("# misspelt insert")
    assert 'No overload variant of "insert"' in errors.get(insert, ""), out
    assert "doc: Account" in out
    # Nothing else: the correct writes and reads type-check.
    assert set(errors) == {field, insert}, out
