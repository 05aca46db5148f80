"""Tables that fit: every table-producing command rendered at 80 and 120 columns, in English
and in Chinese, shows each money figure, date, id and status whole (never cut with '…', never
wider than the terminal)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import (
    CARD,
    CARD_MASKED,
    FIXTURES,
    ID_MASKED,
    ID_NUMBER,
    PASSWORD,
    PHONE,
    PHONE_MASKED,
    run_cli,
    run_json,
    write_answers,
)

CHECKOUT = FIXTURES / "answers" / "checkout.yaml"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One borrower: a loan 100 days on (installment 1 paid late, 2 and 3 overdue), a
    checkout plan, SMS messages, a card and a contact."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)  # durability is not this test's subject
        return make_world(tmp_path_factory.mktemp("tables"))


def make_world(folder: Path) -> Path:
    db = folder / "state.json"
    answers = write_answers(folder)

    def ok(*args: str) -> None:
        code, out, err = run_cli(folder, "--no-input", *args, db=db)
        assert code == 0, out + err

    ok("apply", "--answers", str(answers))
    ok("checkout", "--item", "Redmi K70", "--price", "2499", "--answers", str(CHECKOUT))
    ok("clock", "advance", "100d")
    ok("repay", "A0001", "--installment", "1")
    return db


# Each command, and what it must show whole at every width (ids, money, dates, masked values).
READS: dict[str, tuple[list[str], list[str]]] = {
    "schedule": (
        ["schedule", "--amount", "200000", "--term", "36", "--loan-date", "2026-03-02"]
        + ["--apr", "18"],
        ["2029-03-02", "200000"],
    ),
    "schedule-fee": (
        ["schedule", "--amount", "2499", "--term", "12", "--loan-date", "2026-03-02"]
        + ["--product", "installment", "--apr", "12"],
        ["2027-03-02"],
    ),
    # Installment 3 is overdue on the world's day: it owes its 916.80 and a penalty.
    "calendar": (["calendar", "A0001", "--month", "2026-06"], ["2026-06-02", "921.54"]),
    "applicants-list": (["applicants", "list"], ["A0001", PHONE_MASKED]),
    "applicants-show": (
        ["applicants", "show", "A0001"],
        ["A0001", "2027-03-02", "916.81", "939.57", "22.77", CARD_MASKED, "1101**********0017"],
    ),
    "flows-list": (["flows", "list"], ["F0001", PHONE_MASKED]),
    "flows-show": (["flows", "show", "F0001"], ["F0001"]),
    "timeline": (["timeline", "A0001"], ["2026-03-02", "A0001"]),
    "scenario-list": (["scenario", "list"], ["default", "closed-card", "card_closed"]),
    "card-list": (["card", "list", PHONE], ["C0001", CARD_MASKED, PHONE_MASKED]),
    "contacts-list": (["contacts", "list", PHONE], ["K0001", "139****9000"]),
    "account-check": (["account", "check", PHONE], [PHONE_MASKED]),
    "device-list": (["device", "list", PHONE], [PHONE_MASKED]),
    "sms-inbox": (["sms", "inbox", PHONE], [PHONE_MASKED, "2026-03-30", "106912345"]),
    "credit-report": (
        ["credit-report", "A0001"],
        ["R0001", "L0001 #1", "923.13", "2026-04-02", "2026-04-13", "R0002", "923.22"],
    ),
    "repay": (["repay", "A0001", "--installment", "2"], ["2026-05-02", "939.57"]),
    "restructure": (["restructure", "A0001", "--term", "6"], ["2026-07-02", "1639.21"]),
}

FIGURE = re.compile(r"\d[\d.,:*-]*…|…[\d.,:*-]*\d")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("name", sorted(READS))
def test_every_table_shows_its_figures_whole(
    world: Path, tmp_path: Path, name: str, columns: int, lang: str
) -> None:
    args, whole = READS[name]
    db = tmp_path / "state.json"
    shutil.copy(world, db)  # repay and restructure write: each run has its own copy
    code, out, err = run_cli(tmp_path, "--no-pager", "--lang", lang, *args, db=db, columns=columns)
    assert code == 0, out + err
    assert FIGURE.search(out) is None, out
    assert "…" not in out, out
    too_wide = [line for line in out.splitlines() if cell_len(line) > columns]
    assert not too_wide, out
    for figure in whole:
        assert figure in out, f"{figure!r} not shown whole:\n{out}"
    # A row ends where its last cell's text ends (rich padded it to the table's width).
    assert not [line for line in out.splitlines() if line != line.rstrip()], out


def test_a_fresh_journey_and_a_checkout_fit_80_columns(tmp_path: Path) -> None:
    """The outcome panels with their schedule and month at 80 columns, in both languages."""
    answers = write_answers(tmp_path)
    for lang in ("en", "zh"):
        db = tmp_path / f"{lang}.json"
        code, out, err = run_cli(
            tmp_path,
            "--no-input",
            "--lang",
            lang,
            "apply",
            "--answers",
            str(answers),
            db=db,
            columns=80,
        )
        assert code == 0, out + err
        assert "…" not in out and "916.81" in out and "2027-03-02" in out, out
        code, out, err = run_cli(
            tmp_path,
            "--no-input",
            "--lang",
            lang,
            "checkout",
            "--item",
            "Redmi K70",
            "--price",
            "2499",
            "--answers",
            str(CHECKOUT),
            db=db,
            columns=80,
        )
        assert code == 0, out + err
        assert "…" not in out, out


def test_a_very_narrow_terminal_stacks_each_row(world: Path, tmp_path: Path) -> None:
    """Below the width of the essential columns each installment is a block of lines: every
    figure still whole."""
    code, out, _ = run_cli(
        tmp_path, "--no-pager", "applicants", "show", "A0001", db=world, columns=40
    )
    assert code == 0
    assert "…" not in out
    assert "939.57" in out and "2027-03-02" in out


def test_wider_terminals_show_more_columns(world: Path, tmp_path: Path) -> None:
    """80 columns leave out what matters least (the remaining principal, the paid-on date);
    160 show every column."""

    def header(columns: int) -> str:
        out = run_cli(tmp_path, "applicants", "show", "A0001", db=world, columns=columns)[1]
        return next(line for line in out.splitlines() if "due date" in line)

    narrow, wide = header(80), header(160)
    assert "remaining" not in narrow and "paid on" not in narrow and "owed" in narrow
    assert "remaining" in wide and "paid on" in wide and "fee" in wide


def test_english_headers_and_statuses_are_words_not_field_names(tmp_path: Path) -> None:
    """An English table reads as English (``#``, ``due date``, ``paid on``, ``in progress``),
    never a JSON field name or code; the JSON keeps those."""
    from loancli.cli.labels import COLUMN_NAMES, STATUS_NAMES
    from loancli.support.html_report import COLUMNS, OUTCOMES
    from loancli.support.html_report import STATUSES as PAGE_STATUSES
    from loancli.support.reporting import RECORD_STATUSES

    for names in (COLUMN_NAMES, STATUS_NAMES, COLUMNS, OUTCOMES, PAGE_STATUSES, RECORD_STATUSES):
        assert [w for w in names.values() if "_" in w] == [], names
    code, out, err = run_cli(tmp_path, "--lang", "en", "demo", columns=80)
    assert code == 0, err
    header = next(line for line in out.splitlines() if "principal" in line)
    assert header.split()[:3] == ["#", "due", "date"], header


def test_chinese_tables_read_chinese(world: Path, tmp_path: Path) -> None:
    """Under --lang zh the statuses, method names and headers of tables are Chinese (the JSON
    keeps the codes)."""
    out = run_cli(tmp_path, "--lang", "zh", "applicants", "show", "A0001", db=world, columns=120)[1]
    for english in ("scheduled", "overdue", "paid", "due_date", "principal"):
        assert re.search(rf"\b{english}\b", out) is None, (english, out)
    assert "已还" in out and "逾期" in out and "待还" in out
    listed = run_cli(tmp_path, "--lang", "zh", "scenario", "list", db=world, columns=120)[1]
    for english in ("name", "command", "expect", "description"):
        assert re.search(rf"^.*\b{english}\b.*$", listed.splitlines()[2]) is None, listed
    code, doc = (
        0,
        run_cli(tmp_path, "--json", "--lang", "zh", "applicants", "show", "A0001", db=world)[1],
    )
    assert code == 0 and '"status": "paid"' in doc


def test_applicants_show_shows_everything_stored_masked(world: Path, tmp_path: Path) -> None:
    """Support reads what the borrower entered and what was decided without opening the
    state file: profile, identity, authorisations, card, review and why, the loan now, runs;
    every identifier masked, in the text and in the JSON."""
    code, out, err = run_cli(tmp_path, "applicants", "show", "A0001", db=world, columns=80)
    assert code == 0, out + err
    for shown in (
        "北京********公司",  # the employer: its city and kind
        "15000.00",  # monthly income
        "王** (parent) 139****9000",  # the emergency contact
        "王**",
        ID_MASKED,
        "北京市朝阳区****",  # the address: city and district only
        "1990",  # the birth year
        "cloud service yes, credit-card bills no, smart home no",
        f"{CARD_MASKED} (C0001)",
        "22000.00",  # the credit limit
        "+2000.00 for 1 authorisation(s)",  # why
        "remaining principal 9233.20",  # the loan as it is now
        "apply scenario default seed 0",  # how the run was started
    ):
        assert shown in out, (shown, out)
    code, doc = run_json(tmp_path, "applicants", "show", "A0001", db=world)
    details = doc["details"]
    assert details["identity"]["number"] == ID_MASKED
    assert details["profile"]["contact_phone"] == "139****9000"
    assert details["review"]["why"][1] == "+2000.00 for 1 authorisation(s)"
    assert details["runs"][0]["command"] == "apply"
    raw = (ID_NUMBER, CARD, "王小明", "王大明", "13900139000", "建国路", "小米科技", PASSWORD)
    for secret in raw:
        assert secret not in out and secret not in json.dumps(doc, ensure_ascii=False), secret


def test_applicants_show_reads_chinese(world: Path, tmp_path: Path) -> None:
    out = run_cli(tmp_path, "--lang", "zh", "applicants", "show", "A0001", db=world)[1]
    for label in ("个人信息", "身份信息", "授权", "银行卡", "审核", "授信额度", "运行记录"):
        assert label in out, (label, out)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("columns", [60, 40])
@pytest.mark.parametrize("name", ["sms-inbox", "credit-report"])
def test_narrow_terminals_keep_the_figures_whole(
    world: Path, tmp_path: Path, name: str, columns: int, lang: str
) -> None:
    """At 60 and 40 columns the least needed columns go, then each row is stacked: no id,
    amount or date is cut (the inbox's times and the report's dates were, with '…')."""
    args, _figures = READS[name]
    # What stays at any width (the installment's due date is the first column to go).
    whole = {
        "sms-inbox": [PHONE_MASKED, "2026-03-30", "106912345"],
        "credit-report": ["R0001", "L0001 #1", "923.13", "2026-04-13", "R0002"],
    }[name]
    code, out, err = run_cli(
        tmp_path, "--no-pager", "--lang", lang, *args, db=world, columns=columns
    )
    assert code == 0, out + err
    assert "…" not in out, out
    assert not [line for line in out.splitlines() if cell_len(line) > columns], out
    for figure in whole:
        assert figure in out, f"{figure!r} not shown whole:\n{out}"
    if name == "sms-inbox":
        # A message's figures are whole too, its row stacked or not: its Chinese text is
        # broken between characters.
        for figure in ("10,000.00", "17,501.00"):
            assert figure in out, f"{figure!r} not shown whole:\n{out}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_timeline_at_40_columns_keeps_within_the_edge(
    world: Path, tmp_path: Path, lang: str
) -> None:
    """At 40 columns an event's time, step and name did not fit one line and ran past the
    edge (the longest was 62 cells): the name goes under them, each whole."""
    args = ("--no-pager", "--lang", lang, "timeline", "A0001")
    code, out, err = run_cli(tmp_path, *args, db=world, columns=40)
    assert code == 0, out + err
    assert not [line for line in out.splitlines() if cell_len(line) > 40], out
    for name in ("account_created", "authorisations_recorded", "disbursed"):
        assert re.search(rf"(^|\s){name}\b", out, re.MULTILINE), f"{name} not whole:\n{out}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("columns", [80, 40])
def test_wrapped_text_under_a_heading_ends_where_its_words_end(
    world: Path, tmp_path: Path, lang: str, columns: int
) -> None:
    """An event's words under its heading, a story's title under its name and a match's
    description were padded with spaces to the terminal's width: a pasted or compared line
    carried them. Each line ends with its last word, and still fits."""
    copy = tmp_path / "moved.json"
    shutil.copyfile(world, copy)
    commands = [
        (world, ("timeline", "A0001")),
        (copy, ("clock", "advance", "40d")),
        (world, ("story", "list")),
        (world, ("story", "find", "扣款了两次" if lang == "zh" else "debited twice")),
    ]
    for db, args in commands:
        code, out, err = run_cli(
            tmp_path, "--no-pager", "--lang", lang, *args, db=db, columns=columns
        )
        assert code == 0, out + err
        lines = out.splitlines()
        assert [line for line in lines if line.startswith("    ") or line.startswith("  ")]
        assert not [line for line in lines if line != line.rstrip()], f"{args}:\n{out}"
        # A command is one line, never wrapped (it is copied whole), and so is a name longer
        # than the terminal; the rest fits.
        wide = [
            line
            for line in lines
            if cell_len(line) > columns and " " in line.strip() and "loancli " not in line
        ]
        assert not wide, out


@pytest.mark.parametrize(
    ("lang", "said"), [("en", "Not shown at this width"), ("zh", "此宽度下未显示")]
)
def test_a_table_too_narrow_for_every_column_says_which_it_left_out(
    tmp_path: Path, lang: str, said: str
) -> None:
    """At 40 columns the schedule showed a total its visible columns did not add up to, and
    said nothing of the principal, interest and fees it had left out."""
    args = ["schedule", "--amount", "10000", "--term", "3", "--apr", "18"]
    args += ["--loan-date", "2026-03-02", "--fee", "monthly=0.3%"]
    outs = {}
    for columns in (40, 60, 160):
        code, out, err = run_cli(tmp_path, "--lang", lang, *args, columns=columns)
        assert code == 0, out + err
        outs[columns] = out
    assert said not in outs[160]
    for columns in (40, 60):
        note = "".join(outs[columns].split(said)[1].split())  # the note, unwrapped
        assert "--json" in note, outs[columns]
        left_out = note.split("--json")[0]
        assert ("remaining" if lang == "en" else "剩余本金") in left_out
    # Where there is room for the principal, the interest and the line's fee, they are the
    # ones kept (their sum is the total), and a fee by kind goes first (English headers are
    # wider: there it goes at 60 columns).
    if lang == "en":
        assert "service fee" in outs[60].split(said)[1]
    assert "3283.83" in outs[60] and "150.00" in outs[60] and "30.00" in outs[60]


def test_a_column_with_nothing_in_it_is_not_named_as_left_out(tmp_path: Path) -> None:
    args = ["schedule", "--amount", "10000", "--term", "3", "--loan-date", "2026-03-02"]
    code, out, err = run_cli(tmp_path, *args, "--apr", "10", columns=50)
    assert code == 0, out + err
    note = " ".join(out.split("Not shown at this width:")[1].split())
    assert "remaining" in note and "fee" not in note, note  # every fee was 0.00


@pytest.mark.parametrize("columns", [80, 110, 140])
def test_a_lines_fees_by_kind_are_shown_all_or_none_beside_their_sum(
    tmp_path: Path, columns: int
) -> None:
    # At 80 columns the schedule kept the service fee (5.00) and left out the guarantee fee
    # (300.00) and protection plan (50.00) beside "fee" (355.00, their sum): the columns
    # shown added to more than the total, the biggest fee hidden.
    args = ["schedule", "--amount", "100000", "--term", "12", "--apr", "10.8957"]
    args += ["--loan-date", "2026-03-02", "--fee", "upfront=1000", "--fee", "monthly=5"]
    args += ["--fee", "guarantee=0.3%", "--fee", "protection=50"]
    code, out, err = run_cli(tmp_path, *args, columns=columns)
    assert code == 0, err
    header = next(line for line in out.splitlines() if "due date" in line)
    kinds = [k in header for k in ("service fee", "guarantee fee", "protection plan")]
    assert all(kinds) or not any(kinds), header
    assert "all fees" in header  # the line's fee, named as the sum of the kinds
    # A column left out before the kinds went (the remaining principal) comes back when
    # their going leaves room for it.
    if not any(kinds):
        assert "remaining" in header, header
    row = next(line for line in out.splitlines() if re.match(r"\W*1\W+2026-04-02", line))
    first = row.replace("│", " ").split()
    shown = [c for c in first[2:] if re.fullmatch(r"\d+\.\d\d", c)]
    parts = shown[:-2] if "remaining" in header else shown[:-1]
    total = shown[-2] if "remaining" in header else shown[-1]
    # principal + interest + (the kinds and) all fees: the kinds are inside all fees.
    figures = [float(x) for x in parts]
    summed = figures[0] + figures[1] + figures[-1]
    assert abs(summed - float(total)) < 0.005, (header, first)


def test_a_table_fitted_by_leaving_columns_out_measures_each_text_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fitting tries the table with fewer columns until it fits, and each try measured every
    cell again (a schedule's fit took 30 ms of a 50 ms print); a cell's text is measured
    once, and what is drawn is what rich draws of the table measured afresh."""
    import io

    from rich.console import Console
    from rich.measure import Measurement

    from loancli.cli.tables import Col, fit_table

    cols = [Col(f"c{i}", f"Column {i}", keep=i) for i in range(8)]
    rows = [{f"c{i}": f"{n * 1000 + i:,}.00" for i in range(8)} for n in range(12)]
    console = Console(file=io.StringIO(), width=60, color_system=None)
    measured: list[object] = []
    real = Measurement.get

    def counted(console: Console, options: object, renderable: object) -> Measurement:
        if type(renderable) is str:
            measured.append(renderable)
        return real(console, options, renderable)  # type: ignore[arg-type]

    monkeypatch.setattr(Measurement, "get", counted)
    table = fit_table(console, "T", cols, rows)
    assert table.caption  # columns were left out: several tries
    assert measured and len(measured) == len(set(measured))
    monkeypatch.setattr(Measurement, "get", real)
    console.print(table)
    drawn = console.file.getvalue()  # type: ignore[attr-defined]
    fresh = Console(file=io.StringIO(), width=60, color_system=None)
    for column in table.columns:
        column.width = None
    fresh.print(table)
    assert drawn == fresh.file.getvalue()  # type: ignore[attr-defined]
    assert all(cell_len(line) <= 60 for line in drawn.splitlines())
