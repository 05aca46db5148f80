"""The quick scans for characters a terminal acts on give the answer a character-by-character
scan gives (issue 21: the scans run over every JSON document and every answer)."""

from __future__ import annotations

import random
import re

from loancli.text import SAFE_BLOCKS, _scans, has_unsafe, is_unsafe, printable
from loancli.validation import has_surrogate

# ASCII and Latin-1 (C0, DEL, C1, the soft hyphen), Chinese, the ideographic space, and the
# format and separator characters that matter: zero-width space, bidi override, line and
# paragraph separators, the BOM, a lone surrogate.
ALPHABET = [chr(i) for i in range(0x180)] + list(
    "中文１\u3000\u303f\u3400\u4dbf\u9fff\uff00\uff01\uffef\ufff9\u200b\u202e\u2028\u2029\ufeff\ud800"
)


def test_has_unsafe_agrees_with_each_character_asked() -> None:
    rng = random.Random(21)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))
        assert has_unsafe(text) == any(is_unsafe(ch) for ch in text), repr(text)
        expected = any(ch != "\n" and is_unsafe(ch) for ch in text)
        assert has_unsafe(text, but_newline=True) == expected, repr(text)


def test_printable_escapes_what_each_character_asked_would_escape() -> None:
    """``printable`` looks only at the characters outside the safe blocks; what it gives is
    what escaping each unsafe character in turn gives, with and without ``lines``."""
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))
        for lines in (False, True):
            expected = "".join(
                ch
                if (lines and ch in "\n\t") or not is_unsafe(ch)
                else (f"\\x{ord(ch):02x}" if ord(ch) <= 0xFF else f"\\u{ord(ch):04x}")
                for ch in text
            )
            assert printable(text, lines=lines) == expected, (repr(text), lines)
    assert printable("a\nb\x1b", lines=True) == "a\nb\\x1b"
    assert printable("a\nb") == "a\\x0ab"


def test_a_lone_surrogate_is_found_and_nothing_else_is() -> None:
    assert has_surrogate("abc\udc80") and has_surrogate("\ud800中")
    assert not has_surrogate("") and not has_surrogate("中文 abc") and not has_surrogate("😀")


def test_no_character_of_the_blocks_skipped_unlooked_is_unsafe() -> None:
    skipped = re.compile(f"[{SAFE_BLOCKS}]")
    # Every block skipped is in the Basic Multilingual Plane.
    found = [hex(cp) for cp in range(0x10000) if skipped.match(chr(cp)) and is_unsafe(chr(cp))]
    assert not found, found
    assert skipped.match("中") and not skipped.match("\ufeff") and not skipped.match("\xad")
    assert not skipped.match("\U00020000") and not skipped.match("\U000e0001")


def test_every_unsafe_character_is_one_isprintable_refuses() -> None:
    """``has_unsafe`` answers no, with no pattern, for text ``str.isprintable`` accepts: sound
    only while no unsafe character anywhere in Unicode is printable to Python."""
    printable_yet_unsafe = [
        hex(cp) for cp in range(0x110000) if is_unsafe(chr(cp)) and chr(cp).isprintable()
    ]
    assert not printable_yet_unsafe, printable_yet_unsafe


def test_text_without_unsafe_characters_compiles_no_pattern() -> None:
    _scans.cache_clear()
    assert not has_unsafe("借款 10000.00 yuan: L0001")
    assert not has_unsafe('{\n  "id": "A0001",\n  "name": "王**"\n}', but_newline=True)
    assert _scans.cache_info().currsize == 0
    # A newline is looked at where it is no layout, and found.
    assert has_unsafe("a\nb") and not has_unsafe("a\u3000b")
    assert _scans.cache_info().currsize == 1
