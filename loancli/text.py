"""Text from outside: its digits, and how it is made inert before a terminal shows it.

Digits are ASCII everywhere: an amount, a term, a phone, a card, a code, an ID number, a clock,
a seed or a timeout is written with 0-9. Full-width (１２３), Arabic-Indic (١٢٣), Devanagari
(१२३) and other scripts' digits are refused with a sentence that says so
(:func:`require_ascii_digits`), never read as numbers in one place and refused in another.

Text from the state file, a scenario, an answers file or a bundle is shown through
:func:`printable`.

A terminal acts on some characters instead of showing them: ``ESC ] 0 ; … BEL`` retitles the
window, ``ESC [ 2 J`` clears the screen, a carriage return writes over the line, U+202E turns
the rest of the line around, a zero-width space hides a difference. Input is refused when it
holds them (``validation.check_text``), but a state file can be edited by hand and was written
by older versions: whatever reaches a person goes through :func:`printable` on its way out.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from loancli.i18n import _

# Control (Cc: C0, DEL, C1), format (Cf: bidi overrides and isolates, zero-width marks, the
# BOM), surrogates (Cs: an undecodable byte, which no terminal can print) and the line and
# paragraph separators (Zl, Zp), which break a line the way a newline does.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Kept in text of several lines (a scenario file, a report): they move to the next line or
# column and nothing else.
_LAYOUT = frozenset("\n\t")


def other_digit(text: str) -> str | None:
    """The first digit in ``text`` that is not one of 0-9 (full-width, another script's,
    a superscript), or None."""
    return next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)


def require_ascii_digits(text: str) -> None:
    """``ValueError`` naming the first digit that is not 0-9, if ``text`` has one."""
    char = other_digit(text)
    if char is not None:
        raise ValueError(
            _("write digits as 0-9; {char!r} is a digit of another width or script").format(
                char=char
            )
        )


# The most digits a whole number typed anywhere may have: a seed's (up to 2**63 - 1, as the
# story format and populate make them), and far under the 4,300 past which Python's int()
# refuses.
MAX_DIGITS = 19
# The largest seed: what a story, a ticket and populate keep (a signed 64-bit number).
MAX_SEED = 2**63 - 1


def whole(digits: str) -> int | None:
    """``digits`` (an optional sign, then 0-9) as a number, or None when it has more than
    :data:`MAX_DIGITS` digits."""
    if len(digits.lstrip("+-")) > MAX_DIGITS:
        return None
    return int(digits)


def is_unsafe(char: str) -> bool:
    """Whether a terminal would act on ``char`` (or fail on it) instead of showing it."""
    return unicodedata.category(char) in _UNSAFE


# Printable ASCII and the blocks Chinese text is written in (CJK symbols and punctuation, the
# ideographs and their extension A, the full-width forms): none holds a control, format or
# separator character, so their characters need no lookup.
SAFE_BLOCKS = "\x20-\x7e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uffef"


@functools.cache
def _scans(but_newline: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """In ASCII only the C0 controls and DEL are unsafe; characters outside SAFE_BLOCKS are
    looked up one by one. Compiled when first used: ``--help`` imports this module and scans
    nothing."""
    if but_newline:
        return re.compile(r"[\x00-\x09\x0b-\x1f\x7f]"), re.compile(f"[^{SAFE_BLOCKS}\n]")
    return re.compile(r"[\x00-\x1f\x7f]"), re.compile(f"[^{SAFE_BLOCKS}]")


def has_unsafe(text: str, *, but_newline: bool = False) -> bool:
    """Whether ``text`` holds a character :func:`is_unsafe` names (a newline aside, with
    ``but_newline``): the same answer as asking of each character, found faster."""
    # Every unsafe character is one ``str.isprintable`` refuses (so are a space other than
    # ASCII's, a tab, an unassigned code point): text it accepts whole holds none, and most
    # text is such text. No pattern compiled for it (some 4 ms a pattern, each command).
    if (text.replace("\n", "") if but_newline else text).isprintable():
        return False
    ascii_unsafe, others = _scans(but_newline)
    if text.isascii():
        return ascii_unsafe.search(text) is not None
    return any(is_unsafe(ch) for ch in others.findall(text))


def printable(value: object, *, lines: bool = False) -> str:
    """``value`` as text a terminal only shows: each control, format or surrogate character is
    written as its escape (``\\x1b``, ``\\u202e``), so a reader sees that it was there and
    nothing acts on it. With ``lines``, newlines and tabs are kept (a file, a report)."""
    text = value if isinstance(value, str) else str(value)
    if not has_unsafe(text):  # the common case: nothing to copy
        return text

    def shown(found: re.Match[str]) -> str:
        ch = found.group()
        return ch if (lines and ch in _LAYOUT) or not is_unsafe(ch) else _escape(ch)

    # Only the characters outside SAFE_BLOCKS are looked at (a report's text has a newline
    # in every line: it was looked at one character at a time).
    return _scans(False)[1].sub(shown, text)


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def inert_json(text: str) -> str:
    """A JSON text with each character a terminal would act on written as its ``\\u``
    escape: the same data for a JSON reader, nothing raw for a terminal. Newlines outside
    strings (an indented document's) stay; inside strings ``json.dumps`` escaped them already."""
    if not has_unsafe(text, but_newline=True):
        return text
    return "".join(_json_escape(ch) if ch != "\n" and is_unsafe(ch) else ch for ch in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a surrogate pair, as JSON writes it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def sentences(*parts: str) -> str:
    """Sentences one after another: a space after an English one, none after a Chinese one
    (``照片模糊。请重新上传``, not ``照片模糊。 请重新上传``)."""
    return close_up(" ".join(part.strip() for part in parts if part.strip()))


def close_up(text: str) -> str:
    """``text`` with no space after a Chinese full stop, comma or bracket (sentences joined
    with spaces, as English ones are, read ``照片模糊。 请重新上传``)."""
    return _AFTER_FULL_STOP.sub(r"\1", text)


_AFTER_FULL_STOP = re.compile(r"([。！？；：，）])[ ]+")


def cell_len(text: str) -> int:
    """The cells a terminal gives ``text``: two for a wide (Chinese) character, none for a
    combining mark, one for anything else."""
    return sum(_cells(char) for char in text)


@functools.cache
def _cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


# A figure or a Latin word: never broken; anything else (a Chinese character, a mark) may end
# a line after it.
# (Its ASCII marks too: a quote, a currency sign, a path's or a URL's, never end a line apart
# from the word they stand by: '¥' then '916.80', '"' then 'repaid within grace"'.)
_TOKEN = re.compile(r"[0-9A-Za-z.,:;=%+\-/@#*_'’\"¥$~\\?&!<>|^`]+|\s+|.", re.S)
# Marks that close what comes before them: never the first of a line.
_NO_LINE_START = frozenset("，。、：；！？）」』】》〉…”)]}")
# Latin punctuation that ends a clause: a run of it never starts a line after what it
# follows without a blank ("(… by SMS)" then "; two-step …").
_ASCII_CLOSING = ".,:;!?"
# Marks that open what comes after them: never the last of a line.
_NO_LINE_END = frozenset("（「『【《〈“([{")


def wrap_keeping_figures(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` cells, broken at spaces or between other
    characters, never inside a figure or a Latin word (one longer than a line is folded), and
    never before a closing mark (禁则: what it closes goes down with it). A character wider
    than ``width`` (a Chinese one in a line of 1) gets a line of its own."""
    width = max(width, 1)
    lines: list[str] = []
    line: list[str] = []  # the tokens of the line being filled
    used = 0
    for token in _TOKEN.findall(text):
        if token.isspace():
            if "\n" in token:
                # Each line break kept: a blank line between paragraphs stays one.
                lines.append("".join(line).rstrip())
                lines += [""] * (token.count("\n") - 1)
                line, used = [], 0
            else:  # kept where it stands; a line's trailing blanks go when it is ended
                line.append(token)
                used += cell_len(token)
            continue
        size = cell_len(token)
        if used + size > width:
            if "".join(line).strip():
                carried = _carried(line, token, width - size)
                lines.append("".join(line).rstrip())
                line, used = carried, cell_len("".join(carried))
            else:  # only blanks before it: they go
                line, used = [], 0
        while size > width:  # longer than a line: folded, as nothing else can be
            cut, taken = 0, 0
            while cut < len(token) and taken + cell_len(token[cut]) <= width - used:
                taken += cell_len(token[cut])
                cut += 1
            if not cut:
                if used:  # what the line holds stays there; the token starts the next one
                    if "".join(line).strip():
                        lines.append("".join(line).rstrip())
                    line, used = [], 0
                    continue
                cut = 1  # a character wider than a whole line: alone on one
            piece, token, size = token[:cut], token[cut:], cell_len(token[cut:])
            if token:
                lines.append("".join(line) + piece)
                line, used = [], 0
            else:  # the token's last piece: the line goes on after it
                line.append(piece)
                used += cell_len(piece)
        if not token:
            continue
        line.append(token)
        used += size
    lines.append("".join(line).rstrip())
    return "\n".join(lines)


def _carried(line: list[str], token: str, room: int) -> list[str]:
    """The tokens at the end of a full ``line`` that go down with ``token``, taken off the
    line: the opening marks it ends with, and for a closing mark the marks before it and the
    word or character they close; none when they would not fit in ``room`` cells or leave the
    line empty."""
    start = len(line)
    latin = token not in _NO_LINE_START and not token.strip(_ASCII_CLOSING)
    if latin and (not line or line[-1].isspace()):
        return []  # after a blank, a Latin mark may start a line
    if token in _NO_LINE_START or latin:
        while start > 0 and line[start - 1] in _NO_LINE_START:
            start -= 1
        # Blanks between a Chinese character and its mark go down with both (``借 ，``);
        # after a Latin word, the mark may start a line.
        closed = start
        while closed > 0 and line[closed - 1].isspace():
            closed -= 1
        if closed == 0 or (closed < start and line[closed - 1].isascii()):
            return []
        start = closed - 1
    while start > 0 and line[start - 1] in _NO_LINE_END:
        start -= 1
    carried = line[start:]
    if not "".join(line[:start]).strip() or cell_len("".join(carried)) > room:
        return []
    del line[start:]
    return carried


def line_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where :func:`wrap_keeping_figures` breaks ``text``: each line's (start, end) in it
    (what a break drops is blanks only, so each line is a run of the text)."""
    spans: list[tuple[int, int]] = []
    at = 0
    for line in wrap_keeping_figures(text, width).split("\n"):
        start = text.index(line, at) if line else at
        spans.append((start, start + len(line)))
        at = start + len(line)
    return spans


# A character of the CJK blocks OpenCC's table may write otherwise (traditional to simplified).
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def simplified(text: str) -> str:
    """``text`` in simplified Chinese characters (OpenCC's traditional-to-simplified table,
    characters and phrases: 等額本息 is 等额本息, 銀行卡被凍結 is 银行卡被冻结); text with no
    Chinese character is left as it is, without loading the table."""
    if not _CJK.search(text):
        return text
    return _to_simplified()(text)


@functools.cache
def _to_simplified() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("t2s.json")
    return functools.lru_cache(maxsize=4096)(converter.convert)


def months_text(text: str) -> str:
    """A term as the apps write it, 12期 or 12个月 (12個月 too), as its number's text."""
    return simplified(text.strip()).removesuffix("期").removesuffix("个月").strip()
