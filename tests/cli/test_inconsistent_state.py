"""A state file whose records fit their types one by one but not together, or whose values are
not of their field's form (a date that does not exist, a negative amount, an unknown reason),
is refused: exit 4 naming the table, the record and the field, no traceback, and the file
left byte for byte as it was. Each edit is one a person made by hand to a real state file.

The JSON file is checked whole at open. The SQLite file is checked across records at open
(counters, unique ids, references) and each record when it is read, so a record's own form
is refused by a command that reads it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, HAPPY_PATH_FILE, run_cli

CHECKOUT = FIXTURES / "answers" / "checkout.yaml"
Data = dict[str, dict[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A journey with its loan (A0001, L0001, card C0001, contact K0001) and a checkout with
    its loan (F0001, L0002), in both backends."""
    folder = tmp_path_factory.mktemp("world")
    db = folder / "state.json"
    for args in (
        ["apply", "--answers", str(HAPPY_PATH_FILE)],
        ["checkout", "--item", "Redmi K70", "--price", "2499", "--periods", "12"],
    ):
        answers = [] if args[0] == "apply" else ["--answers", str(CHECKOUT)]
        code, _, err = run_cli(folder, "--no-input", *args, *answers, db=db)
        assert code == 0, err
    sqlite = folder / "state.sqlite"
    code, _, err = run_cli(folder, "state", "convert", str(db), str(sqlite))
    assert code == 0, err
    # Converted whole, the file starts with an empty log of changes: an edit is then all the
    # log holds, as in a file in use.
    with sqlite3.connect(sqlite) as con:
        assert con.execute("SELECT count(*) FROM document_keys_changes").fetchone() == (0,)
    con.close()
    return {".json": db.read_bytes(), ".sqlite": sqlite.read_bytes()}


def _meta(data: Data, key: str) -> dict[str, Any]:
    return next(doc for doc in data["meta"].values() if doc["key"] == key)


def _doc(data: Data, table: str, record_id: str) -> dict[str, Any]:
    return next(doc for doc in data[table].values() if doc.get("id") == record_id)


def _add_copy(data: Data, table: str, record_id: str, **changes: Any) -> None:
    """A second document in ``table`` like ``record_id``'s."""
    number = str(max(map(int, data[table])) + 1)
    data[table][number] = {**deepcopy(_doc(data, table, record_id)), **changes}


def _drop(data: Data, table: str, record_id: str) -> None:
    del data[table][next(k for k, v in data[table].items() if v.get("id") == record_id)]


def _line(data: Data, n: int) -> dict[str, Any]:
    return _doc(data, "loans", "L0001")["lines"][n - 1]


Damage = Callable[[Data], Any]
ACROSS = "across"  # refused when the file is opened, in both backends
# Which command reads the damaged record, where SQLite checks it on read.
READS_LOANS = ["repay", "A0001", "--installment", "1"]
# `applicants list` reads only the fields it shows; `show` reads the whole record.
READS_APPLICANTS = ["applicants", "show", "A0001"]
READS_ACCOUNT = ["device", "list", "13800138000"]
READS_CARDS = ["card", "list", "13800138000"]
READS_FLOWS = ["flows", "show", "F0001"]
READS_MESSAGES = ["sms", "inbox", "13800138000"]
OTHER = "13911112222"  # a number no account has

CASES: list[tuple[str, Damage, str, str, str, str | list[str]]] = [
    # counters behind the ids in use
    (
        "applicant counter set back to 0",
        lambda d: _meta(d, "counter.applicant").update(value=0),
        "meta",
        "'counter.applicant'",
        "value",
        ACROSS,
    ),
    (
        "loan counter set back",
        lambda d: _meta(d, "counter.loan").update(value=1),
        "meta",
        "'counter.loan'",
        "value",
        ACROSS,
    ),
    (
        "record counter set back",
        lambda d: _meta(d, "counter.record").update(value=1),
        "meta",
        "'counter.record'",
        "value",
        ACROSS,
    ),
    (
        "negative counter",
        lambda d: _meta(d, "counter.card").update(value=-3),
        "meta",
        "'counter.card'",
        "value",
        ACROSS,
    ),
    (
        "counter that is text",
        lambda d: _meta(d, "counter.flow").update(value="1"),
        "meta",
        "'counter.flow'",
        "value",
        ACROSS,
    ),
    (
        "counter removed while its ids are in use",
        lambda d: d["meta"].pop(
            next(k for k, v in d["meta"].items() if v["key"] == "counter.contact")
        ),
        "meta",
        "'counter.contact'",
        "value",
        ACROSS,
    ),
    (
        "clock without its UTC offset",
        lambda d: _meta(d, "clock").update(value="2026-03-02T10:00:00"),
        "meta",
        "'clock'",
        "value",
        ACROSS,
    ),
    (
        "a setting stored twice",
        lambda d: d["meta"].update({"99": dict(_meta(d, "clock"))}),
        "meta",
        "'clock'",
        "key",
        ACROSS,
    ),
    # ids used twice
    (
        "duplicate applicant id",
        lambda d: _add_copy(d, "applicants", "A0001"),
        "applicants",
        "'A0001'",
        "id",
        ACROSS,
    ),
    (
        "duplicate loan id",
        lambda d: _doc(d, "loans", "L0002").update(id="L0001"),
        "loans",
        "'L0001'",
        "id",
        ACROSS,
    ),
    (
        "duplicate flow id",
        lambda d: _add_copy(d, "flows", "F0001"),
        "flows",
        "'F0001'",
        "id",
        ACROSS,
    ),
    (
        "duplicate card id",
        lambda d: _add_copy(d, "cards", "C0001", number="6222021234567890011"),
        "cards",
        "'C0001'",
        "id",
        ACROSS,
    ),
    (
        "two accounts with one number",
        lambda d: d["accounts"].update({"9": deepcopy(d["accounts"]["1"])}),
        "accounts",
        "'138****8000'",
        "phone",
        ACROSS,
    ),
    (
        "one payout booked twice",
        lambda d: _doc(d, "loans", "L0002").update(payout_id="A0001/payout"),
        "loans",
        "'L0002'",
        "payout_id",
        ACROSS,
    ),
    # references that do not resolve
    (
        "loan whose applicant is missing",
        lambda d: _drop(d, "applicants", "A0001"),
        "loans",
        "'L0001'",
        "applicant_id",
        ACROSS,
    ),
    (
        "checkout loan whose flow is missing",
        lambda d: _drop(d, "flows", "F0001"),
        "loans",
        "'L0002'",
        "applicant_id",
        ACROSS,
    ),
    (
        "card whose account is missing",
        lambda d: _doc(d, "cards", "C0001").update(phone=OTHER),
        "cards",
        "'C0001'",
        "phone",
        ACROSS,
    ),
    (
        "flow whose account is missing",
        lambda d: _doc(d, "flows", "F0001").update(phone=OTHER),
        "flows",
        "'F0001'",
        "phone",
        ACROSS,
    ),
    (
        "contact whose account is missing",
        lambda d: _doc(d, "contacts", "K0001").update(phone=OTHER),
        "contacts",
        "'K0001'",
        "phone",
        ACROSS,
    ),
    (
        "loan whose account is missing",
        lambda d: _doc(d, "loans", "L0001").update(phone=OTHER),
        "loans",
        "'L0001'",
        "phone",
        ACROSS,
    ),
    (
        "applicant past login whose account is missing",
        lambda d: _doc(d, "applicants", "A0001").update(phone=OTHER),
        "applicants",
        "'A0001'",
        "phone",
        ACROSS,
    ),
    # money
    (
        "negative principal",
        lambda d: _line(d, 1).update(principal="-683.33"),
        "loans",
        "'L0001'",
        "lines[0].principal",
        READS_LOANS,
    ),
    (
        "negative amount paid",
        lambda d: _line(d, 2)["paid"].update(interest="-1.00"),
        "loans",
        "'L0001'",
        "lines[1].paid.interest",
        READS_LOANS,
    ),
    (
        "amount as a number",
        lambda d: _doc(d, "loans", "L0001").update(amount=10000),
        "loans",
        "'L0001'",
        "amount",
        READS_LOANS,
    ),
    (
        "apr abc",
        lambda d: _doc(d, "loans", "L0001").update(apr="abc"),
        "loans",
        "'L0001'",
        "apr",
        READS_LOANS,
    ),
    (
        "contract apr missing",
        lambda d: _doc(d, "loans", "L0001").pop("apr_contract"),
        "loans",
        "'L0001'",
        "apr_contract",
        READS_LOANS,
    ),
    # dates
    (
        "due date 2026-02-30",
        lambda d: _line(d, 1).update(due_date="2026-02-30"),
        "loans",
        "'L0001'",
        "lines[0].due_date",
        READS_LOANS,
    ),
    (
        "event at yesterday",
        lambda d: _doc(d, "applicants", "A0001")["events"][0].update(at="yesterday"),
        "applicants",
        "'A0001'",
        "events[0].at",
        READS_APPLICANTS,
    ),
    (
        "loan event at a date without a time",
        lambda d: _doc(d, "loans", "L0001")["events"][0].update(at="2026-03-02"),
        "loans",
        "'L0001'",
        "events[0].at",
        READS_LOANS,
    ),
    (
        "lock until tomorrow",
        lambda d: d["accounts"]["1"].update(locked_until="tomorrow"),
        "accounts",
        "'138****8000'",
        "locked_until",
        READS_ACCOUNT,
    ),
    (
        "message sent at 25 o'clock",
        lambda d: d["sms_inbox"]["1"].update(sent_at="2026-03-02T25:00:00+08:00"),
        "sms_inbox",
        "#1",
        "sent_at",
        READS_MESSAGES,
    ),
    # closed sets and whole numbers
    (
        "unknown reason code",
        lambda d: _doc(d, "applicants", "A0001").update(reason="card_lost"),
        "applicants",
        "'A0001'",
        "reason",
        READS_APPLICANTS,
    ),
    (
        "unknown reason code in an event",
        lambda d: _doc(d, "flows", "F0001")["events"][0].update(reason="phone_lost"),
        "flows",
        "'F0001'",
        "events[0].reason",
        READS_FLOWS,
    ),
    (
        "unknown journey step",
        lambda d: _doc(d, "applicants", "A0001").update(step="payout"),
        "applicants",
        "'A0001'",
        "step",
        READS_APPLICANTS,
    ),
    (
        "unknown installment status",
        lambda d: _line(d, 1).update(status="late"),
        "loans",
        "'L0001'",
        "lines[0].status",
        READS_LOANS,
    ),
    (
        "unknown repayment method",
        lambda d: _doc(d, "loans", "L0001").update(method="balloon"),
        "loans",
        "'L0001'",
        "method",
        READS_LOANS,
    ),
    (
        "unknown card status",
        lambda d: _doc(d, "cards", "C0001").update(status="lost"),
        "cards",
        "'C0001'",
        "status",
        READS_CARDS,
    ),
    (
        "term 0",
        lambda d: _doc(d, "loans", "L0001").update(term=0),
        "loans",
        "'L0001'",
        "term",
        READS_LOANS,
    ),
    (
        "repayment day 31",
        lambda d: _doc(d, "loans", "L0001").update(repayment_day=31),
        "loans",
        "'L0001'",
        "repayment_day",
        READS_LOANS,
    ),
    (
        "installment number 0",
        lambda d: _line(d, 1).update(n=0),
        "loans",
        "'L0001'",
        "lines[0].n",
        READS_LOANS,
    ),
    (
        "contact id of another form",
        lambda d: _doc(d, "contacts", "K0001").update(id="K1"),
        "contacts",
        "'K1'",
        "id",
        ["contacts", "list", "13800138000"],
    ),
    (
        "ID number that is a number",
        lambda d: _doc(d, "applicants", "A0001")["identity"].update(number=110105199003070017),
        "applicants",
        "'A0001'",
        "identity.number",
        READS_APPLICANTS,
    ),
    (
        "review without its reasons",
        lambda d: _doc(d, "applicants", "A0001")["review"].pop("why"),
        "applicants",
        "'A0001'",
        "review.why",
        READS_APPLICANTS,
    ),
    (
        "loan without its first due date",
        lambda d: _doc(d, "loans", "L0001").pop("first_due_date"),
        "loans",
        "'L0001'",
        "first_due_date",
        READS_LOANS,
    ),
    (
        "installment without its paid_on",
        lambda d: _line(d, 2).pop("paid_on"),
        "loans",
        "'L0001'",
        "lines[1].paid_on",
        READS_LOANS,
    ),
    (
        "card expiry that is not MMYY",
        lambda d: _doc(d, "cards", "C0001").update(expiry="abc"),
        "cards",
        "'C0001'",
        "expiry",
        READS_CARDS,
    ),
    (
        "a flow filed as the journey",
        lambda d: _doc(d, "flows", "F0001").update(kind="apply"),
        "flows",
        "'F0001'",
        "kind",
        READS_FLOWS,
    ),
]
COMMANDS = [
    ["applicants", "list"],
    ["--no-input", "apply", "--answers", str(HAPPY_PATH_FILE)],
    ["repay", "A0001", "--installment", "1"],
]


def _damaged(world: dict[str, bytes], suffix: str, damage: Damage, folder: Path) -> Path:
    """The world's state file with ``damage`` done to it by hand: the JSON file edited, the
    SQLite file through SQL (its own triggers keep what the checks read)."""
    db = folder / f"state{suffix}"
    db.write_bytes(world[suffix])
    if suffix == ".json":
        data = json.loads(db.read_bytes())
        damage(data)
        db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return db
    with sqlite3.connect(db) as con:
        data = {}
        for table, doc_id, body in con.execute("SELECT tbl, doc_id, body FROM documents"):
            data.setdefault(table, {})[str(doc_id)] = json.loads(body)
        after = deepcopy(data)
        damage(after)
        for table in set(data) | set(after):
            old, new = data.get(table, {}), after.get(table, {})
            for doc_id in old.keys() - new.keys():
                con.execute("DELETE FROM documents WHERE tbl = ? AND doc_id = ?", (table, doc_id))
            for doc_id, doc in new.items():
                if old.get(doc_id) != doc:
                    con.execute(
                        "INSERT OR REPLACE INTO documents VALUES (?, ?, ?)",
                        (table, int(doc_id), json.dumps(doc, ensure_ascii=False)),
                    )
    con.close()
    return db


def _assert_refused(
    folder: Path, db: Path, before: bytes, command: list[str], table: str, record: str, field: str
) -> None:
    code, out, err = run_cli(folder, *command, db=db)
    assert code == 4, out + err
    assert "Traceback" not in out + err
    message = " ".join(err.split())
    assert f"table {table!r}, record {record}, field {field!r}:" in message, message
    assert "left untouched" in message
    assert db.read_bytes() == before
    # SQLite's shared-memory and write-ahead files may stay behind a reader; nothing was
    # written ahead.
    sidecars = {db.name + ".lock", db.name + "-shm", db.name + "-wal"}
    assert {p.name for p in folder.iterdir()} <= {db.name, *sidecars}
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


@pytest.mark.parametrize(
    ("damage", "table", "record", "field"),
    [case[1:5] for case in CASES],
    ids=[case[0] for case in CASES],
)
@pytest.mark.parametrize("command", COMMANDS, ids=["list", "apply", "repay"])
def test_a_json_state_file_is_refused_at_the_door(
    tmp_path: Path,
    world: dict[str, bytes],
    damage: Damage,
    table: str,
    record: str,
    field: str,
    command: list[str],
) -> None:
    db = _damaged(world, ".json", damage, tmp_path)
    _assert_refused(tmp_path, db, db.read_bytes(), command, table, record, field)


SQLITE_RUNS = [
    pytest.param(case[1], case[2], case[3], case[4], command, id=f"{case[0]}-{command[-1]}")
    for case in CASES
    for command in (COMMANDS if case[5] == ACROSS else [case[5]])
]


@pytest.mark.parametrize(("damage", "table", "record", "field", "command"), SQLITE_RUNS)
def test_a_sqlite_state_file_is_refused_across_records_at_open_and_each_record_on_read(
    tmp_path: Path,
    world: dict[str, bytes],
    damage: Damage,
    table: str,
    record: str,
    field: str,
    command: list[str],
) -> None:
    db = _damaged(world, ".sqlite", damage, tmp_path)
    _assert_refused(tmp_path, db, db.read_bytes(), command, table, record, field)


@pytest.mark.parametrize("suffix", [".json", ".sqlite"])
def test_the_undamaged_world_opens_and_its_edit_tool_changes_nothing(
    tmp_path: Path, world: dict[str, bytes], suffix: str
) -> None:
    db = _damaged(world, suffix, lambda data: None, tmp_path)
    code, out, err = run_cli(tmp_path, "applicants", "list", db=db)
    assert code == 0, err
    assert "A0001" in out


@pytest.mark.parametrize("suffix", [".json", ".sqlite"])
def test_apply_after_the_counter_is_set_back_never_changes_an_existing_record(
    tmp_path: Path, world: dict[str, bytes], suffix: str
) -> None:
    db = _damaged(world, suffix, lambda d: _meta(d, "counter.applicant").update(value=0), tmp_path)
    before = db.read_bytes()
    for _ in range(2):
        code, _out, err = run_cli(
            tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), db=db
        )
        assert code == 4 and "A0001" in err
    assert db.read_bytes() == before
    # Put right, the next apply takes a new id and the borrower of A0001 keeps their record.
    fixed = _damaged(world, suffix, lambda d: None, tmp_path)
    code, out, err = run_cli(
        tmp_path, "--no-input", "--json", "apply", "--answers", str(HAPPY_PATH_FILE), db=fixed
    )
    assert code == 0, err
    assert json.loads(out)["applicant_id"] == "A0002"


def test_the_refusal_reads_in_chinese(tmp_path: Path, world: dict[str, bytes]) -> None:
    db = _damaged(world, ".json", lambda d: _line(d, 1).update(principal="-683.33"), tmp_path)
    code, _out, err = run_cli(tmp_path, "--lang", "zh", *READS_LOANS, db=db)
    assert code == 4
    message = " ".join(err.split())
    assert (
        "表 'loans'，记录 'L0001'，字段 'lines[0].principal'：'-683.33' 不是不小于 0 的金额"
        in message
    )
