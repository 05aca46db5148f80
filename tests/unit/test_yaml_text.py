"""Every YAML document loancli writes (tickets, stories, recordings, answers files) goes
through ``asking.yaml_text``: what it writes reads back as the data it was given."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli.asking import read_yaml, yaml_text

# Keys as loancli writes them; values any text (a scenario's body, a borrower's words, a
# byte that was not UTF-8 kept as a lone surrogate), numbers and flags, nested.
KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
SCALARS = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=40)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, DOCUMENTS, max_size=5))
def test_what_is_written_reads_back_as_it_was(data: dict[str, object]) -> None:
    text = yaml_text(data)
    assert yaml.load(text, Loader=yaml.SafeLoader) == data  # noqa: S506 - SafeLoader


def test_a_nel_in_a_value_reads_back_as_a_nel_not_a_space() -> None:
    """PyYAML's pure-Python writer put U+0085 raw inside single quotes, and every reader
    folds it into a space there: a ticket's text changed on the way."""
    data = {"scenario_text": "name: x\x85y", "why": "a\u2028b"}
    text = yaml_text(data)
    assert read_yaml(text, typed=True) == data
    assert yaml.load(text, Loader=yaml.SafeLoader) == data  # noqa: S506 - SafeLoader


def test_keys_keep_their_order_and_chinese_is_written_as_chinese() -> None:
    text = yaml_text({"z": "王小明", "a": 1})
    assert text == "z: 王小明\na: 1\n"


def test_a_lone_surrogate_is_written_escaped_and_reads_back() -> None:
    data = {"answer": "x\udc80"}
    text = yaml_text(data)
    assert "\\uDC80" in text
    assert yaml.load(text, Loader=yaml.SafeLoader) == data  # noqa: S506 - SafeLoader
