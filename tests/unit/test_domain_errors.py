"""Below ``cli/`` a refusal is a domain error: a :class:`RuleError` naming a domain field
(``answers``, ``answer``, ``bundle``, ``record_id``, ``phone``), never a command-line option;
``cli/`` maps the field onto the option or argument the user typed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from loancli.asking import load_answers_file, parse_set_options, read_yaml_file
from loancli.errors import NotFound, RuleError
from loancli.records import RecordProblem, check_table
from loancli.store import MemoryState, Store
from loancli.support.account_check import self_check
from loancli.support.reporting import resolve
from loancli.support.safezip import read_zip
from loancli.world.providers import WorldSettings


def _field(exc: pytest.ExceptionInfo[RuleError]) -> str:
    assert not exc.value.field.startswith("-") and not exc.value.field.isupper()
    assert str(exc.value).startswith(f"{exc.value.field}: ")
    return exc.value.field


def test_answers_refused_name_the_answers_or_the_answer(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as missing:
        load_answers_file(tmp_path / "nope.yaml")
    assert _field(missing) == "answers" and "cannot read answers file" in str(missing.value)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RuleError) as not_a_mapping:
        load_answers_file(listed)
    assert _field(not_a_mapping) == "answers"
    with pytest.raises(RuleError) as not_a_pair:
        parse_set_options(["employer"])
    assert _field(not_a_pair) == "answer" and "is not KEY=VALUE" in str(not_a_pair.value)


def test_a_yaml_file_is_refused_as_the_field_its_reader_names(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(RuleError) as refused:
        read_yaml_file(bad, "scenario file", key="scenario", typed=True)
    assert _field(refused) == "scenario" and "not valid YAML" in str(refused.value)


def test_a_zip_that_is_no_bundle_is_refused_as_the_bundle(tmp_path: Path) -> None:
    path = tmp_path / "ticket.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(RuleError) as refused:
        read_zip(path)
    assert _field(refused) == "bundle" and str(path) in str(refused.value)


def test_a_record_id_that_names_nothing_is_not_found_as_the_record_id() -> None:
    state = MemoryState()
    with Store(state) as store:
        for wanted, said in (("A0009", "no applicant"), ("F0009", "no flow"), ("L0009", "no loan")):
            with pytest.raises(NotFound) as missing:
                resolve(store, wanted)
            assert _field(missing) == "record" and said in str(missing.value)
        with pytest.raises(RuleError) as not_an_id:
            resolve(store, "X1")
        assert _field(not_an_id) == "record" and "is not an id" in str(not_an_id.value)


def test_the_self_check_of_an_unknown_number_is_not_found_as_the_phone() -> None:
    with Store(MemoryState()) as store, pytest.raises(NotFound) as missing:
        self_check(store, "13800138000", WorldSettings(), datetime(2026, 3, 2))
    assert _field(missing) == "phone" and "138****8000" in str(missing.value)


def test_a_field_of_the_wrong_kind_is_named_in_words() -> None:
    """The record check says what a field should be, in the words every refusal uses."""
    record = {
        "id": "A0001",
        "status": "stopped",
        "step": "login",
        "created_at": "2026-03-02T10:00:00+08:00",
        "events": "none",
    }
    with pytest.raises(RecordProblem) as caught:
        check_table("applicants", {"1": record})
    assert caught.value.field == "events"
    assert caught.value.problem == "expected a list, not text"
