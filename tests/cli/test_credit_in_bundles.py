"""Ticket bundles carry the credit bureau's entries and the borrower's objections: a ticket
about "逾期一天就上征信" replays to the same entries, and a bundle whose entries differ from
what the replay gives is not reproduced."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import load_yaml, run_cli, run_json

PHONE = "13800138000"


def bundle_of(folder: Path, story: str) -> Path:
    """Play the built-in ``story`` into a state file and bundle its journey."""
    db = folder / "state.json"
    code, out, err = run_cli(folder, "story", "run", story, db=db)
    assert code == 0, out + err
    bundle = folder / "ticket.zip"
    code, out, err = run_cli(folder, "report", "A0001", "--bundle", str(bundle), db=db)
    assert code == 0, out + err
    return bundle


def ticket_of(bundle: Path) -> dict[str, Any]:
    with zipfile.ZipFile(bundle) as archive:
        return load_yaml(archive.read("ticket.yaml"))


def replayed(folder: Path, bundle: Path) -> tuple[int, dict[str, Any], Path]:
    kept = folder / "replayed.json"
    code, data = run_json(folder, "replay", str(bundle), db=kept)
    return code, data, kept


@pytest.fixture(scope="module")
def notice_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundle_of(tmp_path_factory.mktemp("notice"), "credit-report-after-notice")


def test_a_credit_report_ticket_replays_to_the_same_entries(
    notice_bundle: Path, tmp_path: Path
) -> None:
    code, data, kept = replayed(tmp_path, notice_bundle)
    assert code == 0, data
    assert data["reproduced"] is True and data["unmet"] == []
    code, report = run_json(tmp_path, "credit-report", "A0001", db=kept)
    assert code == 0, report
    (entry,) = report["entries"]
    assert entry["notified_on"] == "2026-04-06"
    assert entry["reported_on"] == "2026-04-13"
    assert entry["default_ended_on"] == "2026-04-20"
    assert entry["drops_on"] == "2031-04-20"
    assert entry["status"] == "dropped"


def test_the_bundle_carries_the_entries_it_must_reproduce(notice_bundle: Path) -> None:
    actions = ticket_of(notice_bundle)["story"]["actions"]
    credit = actions[-1]["expect"]["credit"]
    assert credit["held"] == 0
    assert credit["entries"]["R0001"]["reported_on"] == "2026-04-13"
    assert credit["entries"]["R0001"]["notified_on"] == "2026-04-06"


def test_a_bundle_whose_entries_differ_is_not_reproduced(
    notice_bundle: Path, tmp_path: Path
) -> None:
    """The ticket says the overdue was reported the day after the due date (逾期一天就上征信);
    the replay reports it after notice, so it is not reproduced and says where."""
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(notice_bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "ticket.yaml":
                ticket = load_yaml(data)
                entry = ticket["story"]["actions"][-1]["expect"]["credit"]["entries"]["R0001"]
                entry["reported_on"] = "2026-04-03"
                data = yaml.safe_dump(ticket, allow_unicode=True, sort_keys=False).encode()
            target.writestr(item, data)
    code, data, _kept = replayed(tmp_path, tampered)
    assert code == 3, data
    assert data["reproduced"] is False
    assert "2026-04-03" in str(data["unmet"]) and "2026-04-13" in str(data["unmet"])
    # The same outcome by another way is said so, not "expected completed, replayed completed".
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "replay", str(tampered), db=tmp_path / "zh.json"
    )
    assert code == 3 and "重放结果同为已完成，但过程与原记录不同" in out, out + err
    code, out, err = run_cli(tmp_path, "replay", str(tampered), db=tmp_path / "en.json")
    assert "completed again, but not as it happened" in out and "expected completed" not in out


def test_an_objection_replays_pseudonymised_and_answered(tmp_path: Path) -> None:
    bundle = bundle_of(tmp_path, "credit-objection-answered")
    ticket = ticket_of(bundle)
    (objection,) = [a for a in ticket["story"]["actions"] if a["action"] == "object"]
    # The borrower's own words are left out of a pseudonymised bundle.
    assert objection["entry"] == "R0001"
    assert objection["reason"] == "[left out: what the borrower wrote, 1]"
    assert ticket["story"]["actions"][-1]["expect"]["credit"]["entries"]["R0001"] == {
        "installment": 1,
        "status": "held",
        "reported_on": "2026-04-13",
        "notified_on": "2026-04-06",
        "objection": "kept",
    }
    assert PHONE not in yaml.safe_dump(ticket, allow_unicode=True)
    (tmp_path / "elsewhere").mkdir()
    code, data, kept = replayed(tmp_path / "elsewhere", bundle)
    assert code == 0 and data["reproduced"] is True, data
    code, report = run_json(tmp_path, "credit-report", "A0001", db=kept)
    (entry,) = report["entries"]
    assert entry["objection"]["filed_on"] == "2026-04-13"
    assert entry["objection"]["outcome"] == "kept"


@pytest.mark.parametrize(
    "bank",
    ["{debit_balance: 1500}", "{debit_balance: 20000, debit_failure: {times: 1}}"],
    ids=["short-of-money", "fails-once"],
)
def test_a_ticket_from_a_world_with_automatic_debits_replays(tmp_path: Path, bank: str) -> None:
    """The clock moves of a ticket happen in its journey's world: the bank holds the card's
    money on each due date in the replay as it did (they once ran in the default world, no
    debit was made, and the replay found the installments overdue)."""
    scenario = tmp_path / "debits.yaml"
    scenario.write_text(f"name: debits\nproviders:\n  bank: {bank}\n", encoding="utf-8")
    db = tmp_path / "state.json"
    common = ("--scenario", str(scenario))
    code, out, err = run_cli(
        tmp_path, *common, "--no-input", "apply", "--answers", "happy-path", db=db
    )
    assert code == 0, out + err
    assert run_cli(tmp_path, *common, "clock", "advance", "70d", db=db)[0] == 0
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), db=db)[0] == 0
    story = load_yaml(zipfile.ZipFile(bundle).read("ticket.yaml"))["story"]
    assert "debit_balance" in story["world"]["scenario_text"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, data, kept = replayed(elsewhere, bundle)
    assert code == 0, data
    assert data["reproduced"] is True and data["unmet"] == []
    code, loan = run_json(tmp_path, "calendar", "A0001", db=kept)
    assert code == 0, loan
    code, original = run_json(tmp_path, "calendar", "A0001", db=db)
    assert loan == original


def test_a_world_a_story_with_its_own_scenario_made_bundles_and_replays(tmp_path: Path) -> None:
    """A journey a story ran in its inline scenario (``world.scenario_text``) once made no
    bundle: "the scenario file of a run of A0001 was not kept"."""
    bundle = bundle_of(tmp_path, "double-debit-refund")
    story = ticket_of(bundle)["story"]
    assert "double_debit" in story["world"]["scenario_text"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, data, _kept = replayed(elsewhere, bundle)
    assert code == 0 and data["reproduced"] is True, data


def test_an_objection_filed_in_another_world_is_filed_there_again(tmp_path: Path) -> None:
    """The world an objection is filed in says when it is answered, and how: filed in a
    world that corrects in 2 days, its ticket filed it in the journey's (20 days, kept), and
    the replay found the entry held where it had been deleted."""
    worlds = {
        "plain": "name: plain\nproviders:\n  bank: {debit_balance: 0}\n",
        "quick": "name: quick\nproviders:\n  bank: {debit_balance: 0}\n"
        "  bureau: {objection_outcome: corrected, objection_answer_days: 2}\n",
    }
    for name, text in worlds.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")

    def ok(world: str, *args: str) -> None:
        path = str(tmp_path / f"{world}.yaml")
        code, out, err = run_cli(tmp_path, "--no-input", "--scenario", path, *args)
        assert code == 0, out + err

    ok("plain", "apply", "--answers", "happy-path")
    ok("plain", "clock", "advance", "45d")
    ok("quick", "credit-report", "A0001", "--object", "R0001", "--reason", "已还款")
    ok("quick", "clock", "advance", "3d")
    code, report = run_json(tmp_path, "credit-report", "A0001")
    assert report["entries"][0]["objection"]["outcome"] == "corrected"
    for keep in ([], ["--keep-personal-data"]):
        bundle = tmp_path / f"objection{len(keep)}.zip"
        code, _out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), *keep)
        assert code == 0, err
        [objection] = [a for a in ticket_of(bundle)["story"]["actions"] if a["action"] == "object"]
        assert "objection_answer_days: 2" in objection["scenario_text"]
        again = tmp_path / f"again{len(keep)}.json"
        code, data = run_json(tmp_path, "replay", str(bundle), db=again)
        assert code == 0 and data["reproduced"] is True, data


def test_a_repayment_dated_past_the_report_day_moves_the_world_there_first(
    tmp_path: Path,
) -> None:
    """``--clock`` later than the world's moves it there as ``clock set`` does, then pays:
    installment 1, noticed on 2026-04-06 and reported on 2026-04-13, is reported as owed then
    (916.80 + 766.80 x 0.00075 x 11 days = 923.13) whether the clock moved before the
    repayment or with it. With it, the entry said 916.80, and the ticket of that world did not
    replay (its replay moved the clock, then paid)."""
    worlds = {}
    for way in ("clock then repay", "repay with --clock", "--clock moved by another command"):
        folder = tmp_path / way.replace(" ", "-")
        folder.mkdir()
        db = folder / "state.json"
        assert run_cli(folder, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
        assert run_cli(folder, "clock", "advance", "39d", db=db)[0] == 0
        repay = ("repay", "A0001", "--installment", "1")
        if way == "clock then repay":
            assert run_cli(folder, "clock", "advance", "10d", db=db)[0] == 0
            assert run_cli(folder, *repay, db=db)[0] == 0
        else:
            if way == "--clock moved by another command":
                # The clock moved on that day by another writer, which brought the world
                # there first, as the repayment does.
                two_step = ("device", "two-step", "13800138000", "--mode", "code")
                at_nine = ("--clock", "2026-04-20T09:00:00+08:00")
                assert run_cli(folder, *at_nine, *two_step, db=db)[0] == 0
            assert run_cli(folder, "--clock", "2026-04-20T10:00:00+08:00", *repay, db=db)[0] == 0
        code, report = run_json(folder, "credit-report", "A0001", db=db)
        assert code == 0 and [e["amount"] for e in report["entries"]] == ["923.13"], report
        worlds[way] = run_json(folder, "timeline", "A0001", db=db)[1]["timeline"]
        bundle = folder / "ticket.zip"
        assert run_cli(folder, "report", "A0001", "--bundle", str(bundle), db=db)[0] == 0
        code, data, _kept = replayed(folder, bundle)
        assert code == 0 and data["reproduced"] is True, data
    assert worlds["clock then repay"] == worlds["repay with --clock"]
    # There the device command's --clock made the pass, at 9:00: the same events, an hour
    # earlier.
    at_nine = [
        {**e, "at": e["at"].replace("T09:00", "T10:00")}
        for e in worlds["--clock moved by another command"]
    ]
    assert worlds["clock then repay"] == at_nine


def test_a_repayment_in_a_world_no_clock_pass_ever_moved_catches_it_up(tmp_path: Path) -> None:
    """No clock move at all before: a device command at 9:00 on 2026-04-20 moved the clock
    without a pass, and the repayment at 10:00 took that day for the one the loans were
    brought to (916.80 reported, no reminder, a bundle that did not replay). A new world
    keeps its first day as the day its loans were brought to."""
    db = tmp_path / "state.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    two_step = ("device", "two-step", "13800138000", "--mode", "code")
    assert run_cli(tmp_path, "--clock", "2026-04-20T09:00:00+08:00", *two_step, db=db)[0] == 0
    repay = ("repay", "A0001", "--installment", "1")
    assert run_cli(tmp_path, "--clock", "2026-04-20T10:00:00+08:00", *repay, db=db)[0] == 0
    code, report = run_json(tmp_path, "credit-report", "A0001", db=db)
    assert code == 0 and [e["amount"] for e in report["entries"]] == ["923.13"], report
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), db=db)[0] == 0
    code, data, _kept = replayed(tmp_path, bundle)
    assert code == 0 and data["reproduced"] is True, data
