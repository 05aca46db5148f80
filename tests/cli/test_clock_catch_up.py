"""A writer given a ``--clock`` later than the day the world's loans were last brought to
moves the world there first, as ``clock set`` does, and then acts, whichever command it is:
a journey, an account flow, a device or card command, a repayment. So the same acts at the
same times make the same world, whether the clock moved by ``clock set`` or by the act's own
``--clock`` (a ticket's story moves its clock before each act), and a refused run still
changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PHONE, run_cli, run_json, write_answers

NEW_PHONE = "13700137000"
# The day installment 1's reminder falls due (it is due 2026-04-02), at 10:00.
REMINDER_DAY = "2026-03-30T10:00:00+08:00"
# Installment 1 overdue, noticed and reported to the bureau (2026-04-13) before it.
PAST_REPORT = "2026-04-20T10:00:00+08:00"


def _world(folder: Path, db: Path | str, at: str, *act: str, moved_first: bool) -> None:
    """A happy journey, then ``act`` at ``at``: the clock moved there by ``clock set`` first
    (``moved_first``), or by the act's own ``--clock``."""
    assert run_cli(folder, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    if moved_first:
        assert run_cli(folder, "clock", "set", at, db=db)[0] == 0
        code, out, err = run_cli(folder, "--no-input", *act, db=db)
    else:
        code, out, err = run_cli(folder, "--no-input", "--clock", at, *act, db=db)
    assert code == 0, out + err


def _both_ways(
    tmp_path: Path, at: str, act: tuple[str, ...], *phones: str, then: tuple[str, ...] = ()
) -> dict[bool, dict[str, Any]]:
    """What is seen after ``act`` at ``at`` (and ``then``), the clock moved there first by
    ``clock set`` (True) or by the act's own ``--clock`` (False), each in a world of its own."""
    seen = {}
    for moved_first in (True, False):
        folder = tmp_path / str(moved_first)
        folder.mkdir()
        db = folder / "state.json"
        _world(folder, db, at, *act, moved_first=moved_first)
        if then:
            assert run_cli(folder, *then, db=db)[0] == 0
        seen[moved_first] = _seen(folder, db, *phones)
    return seen


def _seen(folder: Path, db: Path | str, *phones: str) -> dict[str, Any]:
    """What a person looking at the world sees: the journey's timeline, the bureau's entries
    and each number's messages."""
    seen: dict[str, Any] = {
        "timeline": run_json(folder, "timeline", "A0001", db=db)[1],
        "credit": run_json(folder, "credit-report", "A0001", db=db)[1],
    }
    for phone in phones:
        seen[phone] = run_json(folder, "sms", "inbox", phone, db=db)[1]
    return seen


def test_a_phone_change_dated_on_a_reminder_day_sends_that_days_reminder_first(
    tmp_path: Path,
) -> None:
    """The number changed at 10:00 on the day installment 1's reminder falls due. Moved there
    by ``clock set``, the pass sent the reminder to the old number, then the number changed;
    moved by the change's own ``--clock`` there was no pass, and the reminder went to the new
    number at the next clock move. Now both send it to the old number, before the change."""
    change = ("account", "change-phone", "--answers", "change-phone")
    later = ("clock", "advance", "5h")
    seen = _both_ways(tmp_path, REMINDER_DAY, change, PHONE, NEW_PHONE, then=later)
    assert seen[False] == seen[True]
    old = [m["text"] for m in seen[True][PHONE]["messages"]]
    new = [m["text"] for m in seen[True][NEW_PHONE]["messages"]]
    assert any("第1期916.80元将于2026-04-02到期" in text for text in old), old
    assert not any("到期" in text for text in new), new


@pytest.mark.parametrize(
    "act",
    [
        ("device", "two-step", PHONE, "--mode", "code"),
        ("checkout", "--item", "手机", "--price", "2499", "--answers", "checkout"),
        ("repay", "A0001", "--installment", "1"),
    ],
    ids=["device", "checkout", "repay"],
)
def test_a_writer_dated_past_a_report_day_brings_the_loans_there_first(
    tmp_path: Path, act: tuple[str, ...]
) -> None:
    """Installment 1 unpaid, overdue from 2026-04-03 and reported on 2026-04-13: a command
    dated 2026-04-20 finds the world as ``clock set`` leaves it (the overdue noticed, the
    default reported, the messages sent), then acts."""
    seen = _both_ways(tmp_path, PAST_REPORT, act, PHONE)
    assert seen[False] == seen[True]
    credit = seen[False]["credit"]
    assert [e["due_date"] for e in credit["entries"]] == ["2026-04-02"], credit


@pytest.mark.parametrize(
    "refused",
    [
        ("account", "change-phone"),  # no answers at all: refused before its first step
        ("apply", "--resume", "A0001"),  # a journey that completed does not resume
        ("card", "unbind", "C0009"),
    ],
    ids=["no-answers", "resume-completed", "no-such-card"],
)
@pytest.mark.parametrize("backend", ["json", "sqlite", "postgresql"])
def test_a_refused_run_with_a_later_clock_changes_nothing(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str, refused: tuple[str, ...]
) -> None:
    """A script's run refused before it wrote anything writes nothing: neither the clock nor
    the pass its ``--clock`` would have made. On PostgreSQL, where a script's steps commit
    one by one, the pass was committed on its own before the run was refused."""
    db: Path | str
    if backend == "postgresql":
        db = request.getfixturevalue("pg_world")
    else:
        db = tmp_path / f"state.{backend}"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    before = isinstance(db, Path) and db.read_bytes()
    seen = _seen(tmp_path, db, PHONE)
    now = run_json(tmp_path, "clock", "show", db=db)[1]
    code, out, err = run_cli(tmp_path, "--no-input", "--clock", PAST_REPORT, *refused, db=db)
    assert code == 2 and "Traceback" not in out + err, out + err
    assert run_json(tmp_path, "clock", "show", db=db)[1] == now
    assert _seen(tmp_path, db, PHONE) == seen
    if isinstance(db, Path):
        assert db.read_bytes() == before


def test_a_journeys_own_time_past_midnight_is_caught_up_by_the_next_writer(
    tmp_path: Path,
) -> None:
    """A journey at 23:58 whose SMS took 4 minutes ended on the next day, the reminder day of
    another loan, with no pass. A phone change then (no --clock) sent nothing first, and the
    reminder went to the new number at the next clock move, where the ticket's story (its
    clock moved before each act) sends it to the old one: the ticket did not replay. Every
    writer now brings the loans to its clock's day first, however the clock got there."""
    db = tmp_path / "state.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    other = write_answers(tmp_path, "other.yaml", phone="13600136000", card_phone="13600136000")
    late = ("--clock", "2026-03-29T23:58:00+08:00", "apply", "--answers", str(other))
    code, out, err = run_cli(tmp_path, "--no-input", *late, "--set", "sms_wait=4m", db=db)
    assert code == 0, out + err
    assert run_json(tmp_path, "clock", "show", db=db)[1]["now"] > "2026-03-30"
    change = ("account", "change-phone", "--answers", "change-phone")
    assert run_cli(tmp_path, "--no-input", *change, db=db)[0] == 0
    assert run_cli(tmp_path, "clock", "advance", "5d", db=db)[0] == 0
    old = [m["text"] for m in _seen(tmp_path, db, PHONE)[PHONE]["messages"]]
    assert any("第1期916.80元将于2026-04-02到期" in text for text in old), old
    for record in ("A0001", "F0001"):
        bundle = tmp_path / f"{record}.zip"
        assert run_cli(tmp_path, "report", record, "--bundle", str(bundle), db=db)[0] == 0
        where = tmp_path / f"replay-{record}"
        where.mkdir()
        code, data = run_json(where, "replay", str(bundle), db=where / "r.json")
        assert code == 0 and data["reproduced"] is True, data


@pytest.mark.parametrize(
    "shown",
    [("card", "list", PHONE), ("device", "list", PHONE), ("contacts", "list", PHONE)],
    ids=["card-list", "device-list", "contacts-list"],
)
def test_a_command_that_only_shows_writes_nothing_at_a_later_clock(
    tmp_path: Path, shown: tuple[str, ...]
) -> None:
    """``card list --clock`` (and the device and contact lists) wrote the clock, and with the
    catch-up would have sent the month's reminders and reported a default: a command that
    shows an account writes nothing (only a scenario's preset accounts, made on first use)."""
    db = tmp_path / "state.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    before = db.read_bytes()
    code, out, err = run_cli(tmp_path, "--clock", PAST_REPORT, *shown, db=db)
    assert code == 0, out + err
    assert db.read_bytes() == before


def test_on_a_server_a_flow_and_a_device_command_catch_the_world_up(
    tmp_path: Path, pg_world: str
) -> None:
    """On PostgreSQL, where a script's flow commits step by step and a one-unit command takes
    the world lock only when a pass will run: the same world as a file's."""
    change = ("account", "change-phone", "--answers", "change-phone")
    two_step = ("device", "two-step", NEW_PHONE, "--mode", "code")
    seen = {}
    for db in (tmp_path / "state.json", pg_world):
        _world(tmp_path, db, REMINDER_DAY, *change, moved_first=False)
        code, out, err = run_cli(tmp_path, "--clock", PAST_REPORT, *two_step, db=db)
        assert code == 0, out + err
        seen[str(db)] = _seen(tmp_path, db, PHONE, NEW_PHONE)
    file, server = seen.values()
    assert server == file
    assert [e["due_date"] for e in server["credit"]["entries"]] == ["2026-04-02"]


def test_on_a_server_a_run_within_the_day_waits_for_no_world_lock(
    tmp_path: Path, pg_world: str
) -> None:
    """Every unit in flight on a server holds the world lock shared; a clock pass takes it
    alone. A script's journey deferred its pass to its first unit, which then took the lock
    alone whether or not a pass was due: with one unit in flight elsewhere, a second
    borrower's journey on the same day waited and gave up (exit 4). It takes it alone only
    when the world's loans are behind its day."""
    import psycopg

    from loancli.store import pg_store

    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=pg_world)[0] == 0
    other = write_answers(tmp_path, "other.yaml", phone="13600136000", card_phone="13600136000")
    with psycopg.connect(pg_world) as in_flight:
        # A unit of another command, holding the world lock as every unit does.
        in_flight.execute(f"SELECT pg_advisory_xact_lock_shared({pg_store.WORLD_LOCK_KEYS})")
        code, out, err = run_cli(
            tmp_path,
            *("--lock-timeout", "2", "--no-input", "apply", "--answers", str(other)),
            db=pg_world,
        )
        in_flight.rollback()
    assert code == 0, out + err


def test_a_clock_move_given_a_later_clock_reports_every_event_since_the_last_pass(
    tmp_path: Path,
) -> None:
    """``--clock 2026-04-02T10:00 clock advance 1d`` is a pass of its own: the reminder and
    the installment falling due on the way are what it reports (a catch-up before the move
    took them out of its report)."""
    db = tmp_path / "state.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    move = ("--clock", "2026-04-02T10:00:00+08:00", "clock", "advance", "1d")
    code, moved = run_json(tmp_path, *move, db=db)
    assert code == 0 and {"reminder_sent", "installment_due"} <= {
        e["event"] for e in moved["events"]
    }, moved


def test_a_clock_written_with_any_offset_is_the_same_instant_in_beijing(tmp_path: Path) -> None:
    """2026-04-01T20:00-05:00 is 2026-04-02 09:00 in Beijing, where installment 1 falls due.
    The day was taken in the offset written, so that world was a day behind, its penalty
    another; and an offset with seconds (+08:00:30), which Python reads, was stored and every
    later command refused the file (exit 4). The simulated now is kept in Beijing time."""
    seen = []
    for clock in ("2026-04-02T09:00:00+08:00", "2026-04-01T20:00:00-05:00"):
        folder = tmp_path / clock[-6:].replace(":", "")
        folder.mkdir()
        db = folder / "state.json"
        assert run_cli(folder, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
        assert run_cli(folder, "--clock", clock, "clock", "advance", "4d", db=db)[0] == 0
        seen.append(_seen(folder, db, PHONE))
    assert seen[0] == seen[1]
    assert run_json(tmp_path, "clock", "show", db=folder / "state.json")[1]["now"] == (
        "2026-04-06T09:00:00+08:00"
    )
    db = tmp_path / "odd.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    odd = ("--clock", "2026-04-02T10:00:00+08:00:30", "clock", "advance", "1d")
    assert run_cli(tmp_path, *odd, db=db)[0] == 0
    code, now = run_json(tmp_path, "clock", "show", db=db)
    assert code == 0 and now["now"] == "2026-04-03T09:59:30+08:00", now
    assert run_cli(tmp_path, "calendar", "A0001", db=db)[0] == 0


def test_a_serviced_day_edited_past_the_clock_turns_no_pass_off(tmp_path: Path) -> None:
    """A state file whose kept "serviced on" day was edited to 2099 skipped every writer's
    pass: the reminder and the installment falling due were never made. A day past the
    clock's is read as the clock's."""
    import json

    seen = []
    for edited in (False, True):
        folder = tmp_path / str(edited)
        folder.mkdir()
        db = folder / "state.json"
        assert run_cli(folder, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
        if edited:
            data = json.loads(db.read_text(encoding="utf-8"))
            (doc,) = [d for d in data["meta"].values() if d.get("key") == "serviced_on"]
            doc["value"] = "2099-01-01"
            db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        repay = ("--clock", "2026-04-05T10:00:00+08:00", "repay", "A0001", "--installment", "1")
        assert run_cli(folder, *repay, db=db)[0] == 0
        seen.append(_seen(folder, db, PHONE))
    assert seen[0] == seen[1]
    texts = [m["text"] for m in seen[1][PHONE]["messages"]]
    assert any("到期" in text for text in texts), texts
