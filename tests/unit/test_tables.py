"""cli/tables.py: a table keeps every figure whole at any width, leaving out the least
important columns first, then stacking each row; timestamps lose what they all share."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from loancli.cli.tables import Col, fit_table, short_times
from loancli.text import wrap_keeping_figures

COLS = [
    Col("id", "id"),
    Col("amount", "amount", justify="right"),
    Col("when", "when", keep=2),
    Col("bank", "bank", keep=1),
    Col("note", "note", figure=False),
]
ROWS = [
    {
        "id": "A0001",
        "amount": "123456.78",
        "when": "2026-03-02 10:00",
        "bank": "中国工商银行",
        "note": "a long note that folds over several lines at a narrow width",
    },
    {
        "id": "A0002",
        "amount": "916.81",
        "when": "2027-03-02 16:05",
        "bank": "招商银行",
        "note": "short",
    },
]


def render(width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(fit_table(console, "T", COLS, ROWS))
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_wide_terminal_shows_every_column() -> None:
    out = render(140)
    assert all(name in out for name in ("id", "amount", "when", "bank", "note"))
    assert "123456.78" in out and "2027-03-02 16:05" in out


def test_a_narrow_terminal_leaves_out_the_least_important_columns_first() -> None:
    out, note = render(52).split("Not shown at this width:")
    assert "when" not in out and "bank" in out  # keep=2 goes before keep=1
    assert "…" not in out and "123456.78" in out and "916.81" in out
    assert max(cell_len(line) for line in out.splitlines()) <= 52
    assert " ".join(note.split()) == "when (wider, or --json)"  # said under the table
    out, note = render(40).split("Not shown at this width:")
    assert "when" not in out and "bank" not in out and "123456.78" in out
    assert " ".join(note.split()) == "when, bank (wider, or --json)"


def test_below_the_essential_columns_each_row_is_stacked() -> None:
    out = render(26)
    assert "…" not in out
    assert "123456.78" in out and "A0002" in out and "中国工商银行" in out
    assert "when" in out and "2026-03-02" in out  # a stacked row shows every field


def test_a_stacked_row_keeps_the_figures_of_its_chinese_text_whole() -> None:
    """Rich folds a line of Chinese (one word to it: no spaces) wherever the line ends, inside
    an amount or a date too; a stacked row's text is broken between the characters."""
    note = "您本期应还款10,000.00元，将于2026-04-02从尾号8888的银行卡自动扣款，请确保余额充足。"
    rows = [{**ROWS[0], "note": note}]
    for width in range(22, 30):
        console = Console(width=width, file=io.StringIO(), color_system=None)
        console.print(fit_table(console, "T", COLS, rows))
        out = console.file.getvalue()  # type: ignore[attr-defined]
        assert "when" in out, out  # stacked
        assert max(cell_len(line) for line in out.splitlines()) <= width, out
        for figure in ("10,000.00", "2026-04-02", "8888", "123456.78"):
            assert figure in out, f"{figure!r} cut at {width} columns:\n{out}"
        text = "".join(line.split("note")[-1].strip() for line in out.splitlines()[-6:])
        assert "请确保余额充足" in text.replace(" ", ""), out


def test_two_text_columns_keep_their_words_headers_and_dates_whole() -> None:
    """Two text columns share what the figures leave, each wrapped at its words (rich, given
    both, squeezed one below its longest word: ``objectio`` / ``n``, ``2026-06-2`` / ``0``)."""
    cols = [
        Col("entry", "entry"),
        Col("amount", "amount", justify="right"),
        Col("reported", "reported"),
        Col("drops", "drops off", figure=False),
        Col("objection", "objection", figure=False),
    ]
    rows = [
        {
            "entry": "R0001",
            "amount": "923.13",
            "reported": "2026-04-13",
            "drops": "5 years after it is repaid",
            "objection": "marked; answer by 2026-06-20",
        }
    ]
    for width in range(44, 81):
        console = Console(width=width, file=io.StringIO(), color_system=None)
        console.print(fit_table(console, None, cols, rows))
        out = console.file.getvalue()  # type: ignore[attr-defined]
        assert max(cell_len(line) for line in out.splitlines()) <= width, out
        words = out.split()
        for whole in ("objection", "2026-06-20", "2026-04-13", "923.13", "repaid", "answer"):
            assert whole in words, f"{whole!r} cut at {width} columns:\n{out}"


def test_a_column_with_nothing_in_it_goes_before_one_that_says_something() -> None:
    """``card list`` at 80 columns left out the bound date (keep 4) and kept an expiry column
    empty for every debit card (keep 2): an empty column now goes first, whatever its rank."""
    cols = [Col("id", "id"), Col("expiry", "expiry", keep=2), Col("bound", "bound", keep=4)]
    rows = [{"id": "C0001", "expiry": "", "bound": "2026-03-02"}]
    console = Console(width=24, file=io.StringIO(), color_system=None)
    console.print(fit_table(console, None, cols, rows))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "2026-03-02" in out and "expiry" not in out, out
    assert "Not shown" not in out  # a column of nothing said nothing


def test_short_times() -> None:
    same = ["2026-03-02T10:00:00+08:00", "2026-04-02T10:00:00+08:00"]
    assert short_times(same) == ["2026-03-02", "2026-04-02"]
    minutes = ["2026-03-02T10:00:00+08:00", "2026-03-02T17:04:00+08:00", None]
    assert short_times(minutes) == ["2026-03-02 10:00", "2026-03-02 17:04", ""]
    seconds = ["2026-03-02T10:00:05+08:00", "2026-03-02T10:00:00+08:00"]
    assert short_times(seconds) == ["2026-03-02 10:00:05", "2026-03-02 10:00:00"]


_FIGURE = re.compile(r"[0-9A-Za-z.,:%+\-/@#*_']+")


@given(
    text=st.text(
        alphabet=st.sampled_from(list("借款已发放至尾号的银行卡，。0123456789.,-: abcXYZ")),
        max_size=120,
    ),
    width=st.integers(min_value=8, max_value=60),
)
# A blank between a character and its mark: the mark started the line (a review's find).
@example(text="0000借 ，", width=8)
def test_wrapping_keeps_figures_whole_and_lines_within_the_width(text: str, width: int) -> None:
    from loancli.text import wrap_keeping_figures

    lines = wrap_keeping_figures(text, width).split("\n")
    assert all(cell_len(line) <= width for line in lines)
    # Nothing but spaces is lost or added.
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # A closing mark starts no line a Chinese character ended (禁则).
    for before, line in zip(lines, lines[1:], strict=False):
        if before and not before[-1].isascii() and before[-1] not in "，。":
            assert line[:1] not in ("，", "。"), lines
    # A figure that fits a line is on one line.
    shown = "\n".join(lines)
    for figure in _FIGURE.findall(text):
        if cell_len(figure) <= width:
            assert figure in shown, (figure, lines)


@pytest.mark.parametrize("width", range(6, 30))
def test_marks_never_start_or_end_a_line_against_what_they_mark(width: int) -> None:
    from loancli.text import wrap_keeping_figures

    text = "罚息）；stopped（借款流程中止）。目前（2026-05-16）默认：completed=70,settled=10。"
    lines = wrap_keeping_figures(text, width).split("\n")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # Only after a Latin word or figure too long to go down with it.
    for before, line in zip(lines, lines[1:], strict=False):
        assert line[:1] not in "）；。，：" or before[-1:].isascii(), lines
    assert all(cell_len(line) <= width for line in lines), lines
    # An opening mark ends no line: it goes down with what it opens (when the two fit a line:
    # "（2026-05-16）" takes 14 cells).
    assert width < 14 or not any(line.endswith("（") for line in lines), lines
    shown = "\n".join(lines)
    assert "completed=70,settled=10" in shown or width < cell_len("completed=70,settled=10")


@pytest.mark.parametrize("width", range(12, 40))
def test_latin_punctuation_never_starts_a_line_after_what_it_follows(width: int) -> None:
    # scenario list at 80 columns: "(a risk warning by SMS)" then "; two-step ..." below.
    from loancli.text import wrap_keeping_figures

    text = "A login from a new phone in another city (a risk warning by SMS); two-step check."
    lines = wrap_keeping_figures(text, width).split("\n")
    assert " ".join(lines) == text
    assert not any(line[:1] in ".,:;!?" for line in lines), lines
    assert all(cell_len(line) <= width for line in lines), lines
    # After a blank, a Latin mark may start a line; a Chinese one stays with what it closes.
    assert wrap_keeping_figures("0。借， :", 8).split("\n") == ["0。借，", ":"]
    assert wrap_keeping_figures("我的银行卡， .", 12).split("\n") == ["我的银行卡，", "."]


@given(
    text=st.text(alphabet=st.sampled_from(list("借款（）。，ab1 \n")), max_size=40),
    width=st.integers(min_value=-2, max_value=6),
)
def test_wrapping_ends_at_any_width(text: str, width: int) -> None:
    # A width below a Chinese character's two cells (a terminal of 1 or 2 columns) looped
    # for ever; now each such character gets a line of its own.
    from loancli.text import line_spans, wrap_keeping_figures

    lines = wrap_keeping_figures(text, width).split("\n")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    # Each line is a run of the text (so styled text can be cut where the lines break).
    assert [text[start:end] for start, end in line_spans(text, width)] == lines
    assert all(cell_len(line) <= max(width, 2) for line in lines), lines
    # No empty line that the text did not have.
    assert all(line.strip() for line in lines) or not text.strip() or "\n" in text, lines


def test_wrapping_keeps_blank_lines() -> None:
    from loancli.text import wrap_keeping_figures

    assert wrap_keeping_figures("第一段。\n\n第二段。", 20) == "第一段。\n\n第二段。"
    assert wrap_keeping_figures("a\nb", 20) == "a\nb"


@pytest.mark.parametrize(
    ("text", "width", "kept"),
    [
        ("repaid ¥916.80 today and more words here", 12, "¥916.80"),
        ('the objection (还款记录 see "repaid within grace" at a link)', 30, '"repaid'),
        ("state file ~/work/qa.json and more", 20, "~/work/qa.json"),
        ("a file C:\\Users\\me\\qa.json and more", 20, "C:\\Users\\me\\qa.json"),
        ("see https://x.example/a?b=c&d=e for it", 30, "https://x.example/a?b=c&d=e"),
    ],
)
def test_an_ascii_mark_never_ends_a_line_apart_from_its_word(
    text: str, width: int, kept: str
) -> None:
    """English text holding Chinese is broken by cells too: a quote, a currency sign, a
    path's or a URL's marks ended a line apart from their word ('¥' / '916.80'; found by a
    review)."""
    assert any(kept in line for line in wrap_keeping_figures(text, width).split("\n"))
