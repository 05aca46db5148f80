"""``state info``, ``state convert`` (both directions, lossless) and ``state prune``."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES, run_cli, run_json, write_answers

from loancli.store import Store


def filled(tmp_path: Path) -> Path:
    """A state file with a completed journey, a stopped one, time moved, a repayment and a
    phone change: every table in use."""
    db = tmp_path / "state.json"
    answers = str(write_answers(tmp_path))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", answers, db=db)[0] == 0
    stopped = str(write_answers(tmp_path, "declines.yaml", confirm_loan=False))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", stopped, db=db)[0] == 3
    assert run_cli(tmp_path, "clock", "advance", "40d", db=db)[0] == 0
    assert run_cli(tmp_path, "repay", "A0001", "--installment", "1", db=db)[0] == 0
    change = str(FIXTURES / "answers" / "change-phone.yaml")
    code, out, err = run_cli(
        tmp_path, "--no-input", "account", "change-phone", "--answers", change, db=db
    )
    assert code == 0, out + err
    return db


def dump(path: Path) -> dict:
    with Store(path, read_only=True) as store:
        return store.dump()


def test_convert_round_trips_a_filled_file_losslessly(tmp_path: Path) -> None:
    db = filled(tmp_path)
    original = dump(db)
    assert {
        "applicants",
        "flows",
        "accounts",
        "loans",
        "cards",
        "contacts",
        "sms_inbox",
        "otp_codes",
        "meta",
    } <= set(original)
    code, made = run_json(tmp_path, "state", "convert", str(db), str(tmp_path / "big.sqlite"))
    assert code == 0 and made["backend"] == "sqlite"
    assert dump(tmp_path / "big.sqlite") == original
    code, _ = run_json(
        tmp_path, "state", "convert", str(tmp_path / "big.sqlite"), str(tmp_path / "back.json")
    )
    assert code == 0
    assert json.loads((tmp_path / "back.json").read_bytes()) == json.loads(db.read_bytes())
    # The converted world goes on working: the same command, the same answer.
    for path in (db, tmp_path / "big.sqlite"):
        code, shown = run_json(tmp_path, "applicants", "show", "A0001", db=path)
        assert code == 0 and shown["applicant"]["status"] == "completed"


def test_convert_never_overwrites(tmp_path: Path) -> None:
    db = filled(tmp_path)
    target = tmp_path / "exists.sqlite"
    target.write_bytes(b"keep")
    code, out, err = run_cli(tmp_path, "state", "convert", str(db), str(target))
    assert code == 2 and "TO:" in err and "exists already" in err
    assert target.read_bytes() == b"keep"


def test_info_counts_the_records(tmp_path: Path) -> None:
    db = filled(tmp_path)
    code, found = run_json(tmp_path, "state", "info", db=db)
    assert code == 0
    assert found["backend"] == "tinydb" and found["size"] == db.stat().st_size
    assert found["counts"]["applicants"] == 2 and found["counts"]["loans"] == 1


def test_prune_drops_closed_journeys_and_their_messages(tmp_path: Path) -> None:
    db = filled(tmp_path)
    before = dump(db)
    code, done = run_json(tmp_path, "state", "prune", "--before", "2030-01-01", db=db)
    assert code == 0
    # A0002 stopped; A0001's loan is still active, so its journey is not closed.
    assert done["applicants"] == ["A0002"] and done["loans"] == []
    after = dump(db)
    assert [a["id"] for a in after["applicants"].values()] == ["A0001"]
    assert len(after["loans"]) == len(before["loans"])
    code, done = run_json(tmp_path, "state", "prune", "--before", "2000-01-01", db=db)
    assert code == 0 and done["applicants"] == [] and dump(db) == after


def test_prune_keeps_a_checkout_while_its_loan_runs_and_drops_the_two_together(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.json"
    checkout = str(FIXTURES / "answers" / "checkout.yaml")
    buy = ["checkout", "--item", "Redmi K70", "--price", "2499", "--periods", "3"]
    code, out, err = run_cli(tmp_path, "--no-input", *buy, "--answers", checkout, db=db)
    assert code == 0, out + err
    code, done = run_json(tmp_path, "state", "prune", "--before", "2030-01-01", db=db)
    assert code == 0 and done["flows"] == [] and done["loans"] == []
    assert run_cli(tmp_path, "repay", "F0001", "--all", db=db)[0] == 0
    code, done = run_json(tmp_path, "state", "prune", "--before", "2030-01-01", db=db)
    assert code == 0 and done["flows"] == ["F0001"] and done["loans"] == ["L0001"]
    # No loan is left naming a checkout that is gone: the file opens.
    assert dump(db).get("loans", {}) == {}
    code, _out, err = run_cli(tmp_path, "state", "info", db=db)
    assert code == 0, err


def test_convert_through_a_server_gives_back_the_same_file(tmp_path: Path, pg_world: str) -> None:
    db = filled(tmp_path)
    original = dump(db)
    code, made = run_json(tmp_path, "state", "convert", str(db), pg_world)
    assert code == 0 and made["backend"] == "postgresql" and made["database_schema"] == 3
    assert made["source"] == str(db) and ":***@" in made["path"]
    with Store(pg_world, read_only=True) as server:
        assert server.dump() == original
    # The server's world goes on working like the file, then moves on to SQLite and back.
    code, shown = run_json(tmp_path, "applicants", "show", "A0001", db=pg_world)
    assert code == 0 and shown["applicant"]["status"] == "completed"
    sqlite = tmp_path / "from-server.sqlite"
    assert run_json(tmp_path, "state", "convert", pg_world, str(sqlite))[0] == 0
    back = tmp_path / "back.json"
    assert run_json(tmp_path, "state", "convert", str(sqlite), str(back))[0] == 0
    assert back.read_bytes() == db.read_bytes()
    # A world that holds records already is never written over.
    code, out, err = run_cli(tmp_path, "state", "convert", str(back), pg_world)
    assert code == 2 and "TO:" in err and "holds records already" in " ".join(err.split())


def debit_world(folder: Path, bank: str) -> tuple[Path, tuple[str, str]]:
    """A state file whose happy-path loan (2026-03-02) is debited from a card the scenario's
    bank (``bank``, its flow-style mapping) holds money on; the scenario's options."""
    scenario = folder / "debits.yaml"
    scenario.write_text(
        f"name: debits\ndescription: Debits.\nproviders:\n  bank: {bank}\n", encoding="utf-8"
    )
    db = folder / "state.json"
    world = ("--scenario", str(scenario))
    answers = str(write_answers(folder))
    first = ("--clock", "2026-03-02T10:00:00+08:00", "--no-input", "apply", "--answers", answers)
    code, out, err = run_cli(folder, *world, *first, db=db)
    assert code == 0, out + err
    return db, world


def test_prune_keeps_a_settled_loan_whose_double_debit_is_still_owed_back(tmp_path: Path) -> None:
    """Settled after a double debit the lender refunds ten days later: pruned before the
    refund, the refund never came (its loan and its event were gone)."""
    bank = "{debit_balance: 3000, double_debit: true, double_debit_refund_days: 10}"
    db, world = debit_world(tmp_path, bank)
    assert run_cli(tmp_path, *world, "clock", "set", "2026-04-04T10:00:00+08:00", db=db)[0] == 0
    assert run_cli(tmp_path, *world, "repay", "A0001", "--all", db=db)[0] == 0
    code, done = run_json(tmp_path, "state", "prune", "--before", "2026-04-05", db=db)
    assert code == 0 and done["applicants"] == [], done
    code, moved = run_json(tmp_path, *world, "clock", "set", "2026-04-20T10:00:00+08:00", db=db)
    assert code == 0
    assert [e["on"] for e in moved["events"] if e["event"] == "double_debit_refunded"] == [
        "2026-04-12"
    ]
    # Refunded, it goes with the next prune.
    code, done = run_json(tmp_path, "state", "prune", "--before", "2026-04-21", db=db)
    assert code == 0 and done["applicants"] == ["A0001"], done


def test_prune_keeps_a_settled_loan_while_another_is_debited_from_its_card(
    tmp_path: Path,
) -> None:
    """Two loans on one card holding 1000 for debits: the first settled after its debit took
    916.80, the second running. Pruned, the first's debit was forgotten and its 916.80 was on
    the card again for the second's debit (98.18 taken from 83.20)."""
    db, world = debit_world(tmp_path, "{debit_balance: 1000}")
    second = str(write_answers(tmp_path, "second.yaml", amount="1000"))
    later = ("--clock", "2026-03-20T10:00:00+08:00", "--no-input", "apply", "--answers", second)
    code, out, err = run_cli(tmp_path, *world, *later, db=db)
    assert code == 0, out + err
    assert run_cli(tmp_path, *world, "clock", "set", "2026-04-03T10:00:00+08:00", db=db)[0] == 0
    assert run_cli(tmp_path, *world, "repay", "L0001", "--all", db=db)[0] == 0
    code, done = run_json(tmp_path, "state", "prune", "--before", "2026-04-10", db=db)
    assert code == 0 and done["loans"] == [], done
    code, moved = run_json(tmp_path, *world, "clock", "set", "2026-05-10T10:00:00+08:00", db=db)
    assert code == 0
    assert [
        e["event"] for e in moved["events"] if e["loan"] == "L0002" and "debit" in e["event"]
    ] == ["debit_failed"]


def test_prune_keeps_the_messages_of_a_number_a_kept_journey_has(tmp_path: Path) -> None:
    """Two journeys of one account, the first settled: pruned, it took every message and code
    of the number with it, the running second journey's payout SMS among them (found by a QA
    walk)."""
    db = tmp_path / "state.json"
    first = ("--clock", "2026-03-02T10:00:00+08:00", "--no-input", "apply", "--answers")
    code, out, err = run_cli(tmp_path, *first, str(write_answers(tmp_path)), db=db)
    assert code == 0, out + err
    other_card = str(write_answers(tmp_path, "second.yaml", card_number="6214839858861990"))
    second = ("--clock", "2026-03-10T10:00:00+08:00", "--no-input", "apply", "--answers")
    code, out, err = run_cli(tmp_path, *second, other_card, db=db)
    assert code == 0, out + err
    assert run_cli(tmp_path, "repay", "L0001", "--all", db=db)[0] == 0
    code, inbox = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)
    assert code == 0
    code, done = run_json(tmp_path, "state", "prune", "--before", "2027-01-01", db=db)
    assert code == 0 and done["applicants"] == ["A0001"] and done["loans"] == ["L0001"], done
    assert done["messages"] == 0 and done["codes"] == 0
    code, after = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)
    assert code == 0 and after == inbox
    assert any("1990" in m["text"] for m in after["messages"]), after
    # The second settled too, nobody kept has the number: its messages go with the journeys.
    assert run_cli(tmp_path, "repay", "L0002", "--all", db=db)[0] == 0
    code, done = run_json(tmp_path, "state", "prune", "--before", "2027-01-01", db=db)
    assert code == 0 and done["applicants"] == ["A0002"] and done["messages"] > 0, done
    code, gone = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)
    assert code == 0 and gone["messages"] == []


def test_prune_of_a_file_that_is_not_there_is_refused_and_makes_none(tmp_path: Path) -> None:
    """``--db typo.json state prune`` said it pruned nothing and made typo.json (found by a
    hostile-input hunt)."""
    typo = tmp_path / "typo.json"
    code, out, err = run_cli(tmp_path, "state", "prune", "--before", "2026-01-01", db=typo)
    assert code == 2 and "--db" in err and "does not exist" in err, out + err
    assert not typo.exists()


def test_what_a_pruned_loan_s_debits_took_stays_taken_from_its_card(tmp_path: Path) -> None:
    """A card holding 1000 for debits: the first loan's debit took 916.80, then it was
    settled and pruned, and a later loan on the card was debited 901.80 from the money
    already spent, where the unpruned world's debit failed on 83.20 (found by a QA walk)."""
    outcomes = []
    for prune in (False, True):
        folder = tmp_path / ("pruned" if prune else "kept")
        folder.mkdir()
        db, world = debit_world(folder, "{debit_balance: 1000}")
        assert run_cli(folder, *world, "clock", "set", "2026-04-03T10:00:00+08:00", db=db)[0] == 0
        assert run_cli(folder, *world, "repay", "L0001", "--all", db=db)[0] == 0
        if prune:
            code, done = run_json(folder, "state", "prune", "--before", "2026-12-01", db=db)
            assert code == 0 and done["loans"] == ["L0001"], done
        second = str(write_answers(folder, "second.yaml", amount="1000"))
        later = ("--clock", "2026-04-05T10:00:00+08:00", "--no-input", "apply", "--answers")
        code, out, err = run_cli(folder, *world, *later, second, db=db)
        assert code == 0, out + err
        code, moved = run_json(folder, *world, "clock", "set", "2026-05-10T10:00:00+08:00", db=db)
        assert code == 0, moved
        outcomes.append(
            [
                (e["event"], e["detail"].get("balance"))
                for e in moved["events"]
                if e["event"] in ("debited", "debit_failed")
            ]
        )
    assert outcomes[0] == outcomes[1], outcomes
    assert outcomes[0][0] == ("debit_failed", "83.20")


def test_a_card_s_pruned_debits_edited_by_hand_count_nothing(tmp_path: Path) -> None:
    """``spent: NaN`` stopped every clock move with a traceback, and a negative amount put
    money on the card (found by a review); so did an amount that overflows the card's balance
    less it, ``1E+9999999`` (found by a hostile-input hunt)."""
    outcomes = []
    for spent in (None, "NaN", "-100000", "Infinity", "1E+9999999", "1000000000000001"):
        folder = tmp_path / f"world-{len(outcomes)}"
        folder.mkdir()
        db, world = debit_world(folder, "{debit_balance: 1000}")
        if spent is not None:
            with Store(db) as store, store.transaction():
                number = store.all("loans")[0]["card_number"]
                entry = {"spent": spent, "attempts": 1, "draws": "A0001"}
                store.meta_set("debits_of_pruned_loans", {number: entry})
        code, moved = run_json(folder, *world, "clock", "set", "2026-06-03T10:00:00+08:00", db=db)
        assert code == 0, moved
        outcomes.append([(e["event"], e["on"]) for e in moved["events"] if "debit" in e["event"]])
    assert outcomes[1:] == [outcomes[0]] * 5, outcomes
