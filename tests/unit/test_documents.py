"""One validation engine (``loancli/documents.py``) reads records, scenarios and products:
every problem of a document at once, each at its key path, in the user's language."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli import documents, i18n
from loancli.documents import DocumentInvalid, read_document
from loancli.loan.products import ProductProblems, ProductSettings, load_products
from loancli.records import Applicant, RecordProblem, check_table
from loancli.world.providers import WorldSettings
from loancli.world.scenario import ScenarioFile, ScenarioInvalid, scenario_from_dict


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The declared types the engine walked (a document that failed its fast pass, or one
    with rules msgspec cannot check)."""
    kinds: list[Any] = []
    original = documents._Walker.read

    def read(self: Any, value: object, hint: Any, path: str) -> Any:
        if not path or path.count(".") == 0 and "[" not in path:
            kinds.append(documents._unwrap(hint)[0])
        return original(self, value, hint, path)

    monkeypatch.setattr(documents._Walker, "read", read)
    yield kinds


def test_records_scenarios_and_products_are_read_by_the_same_engine(walked: list[Any]) -> None:
    with pytest.raises(ScenarioInvalid) as scenario:
        scenario_from_dict({"providers": {"sms": {"code_length": "six"}}}, "world.yaml")
    with pytest.raises(ProductProblems) as product:
        load_products(overrides={"cash_loan": {"terms": "six"}})
    record = {"id": "A0001", "status": "stopped", "step": "login", "events": []}
    record["created_at"] = "yesterday"
    with pytest.raises(RecordProblem) as damaged:
        check_table("applicants", {"1": record})
    assert {ScenarioFile, ProductSettings, Applicant} <= set(walked)
    assert "providers.sms.code_length: expected a whole number, not text" in str(scenario.value)
    assert product.value.problems == [
        ("cash_loan.terms", "give a list of whole months, e.g. [3, 6, 12]")
    ]
    assert (damaged.value.field, damaged.value.problem) == (
        "created_at",
        "'yesterday' is not a real date-time with its UTC offset, like 2026-03-02T10:00:00+08:00",
    )


def test_a_sound_record_takes_the_fast_path_and_is_not_walked(walked: list[Any]) -> None:
    record = {
        "id": "A0001",
        "status": "stopped",
        "step": "login",
        "created_at": "2026-03-02T10:00:00+08:00",
        "events": [],
    }
    check_table("applicants", {"1": record})
    assert walked == []


def test_the_engine_lists_every_problem_with_its_path_and_the_nearest_key() -> None:
    data = {"code_length": 99, "validty": "10m", "outage": "sometimes", "unreachable": [1, "x"]}
    sms = typing.get_type_hints(WorldSettings)["sms"]
    with pytest.raises(DocumentInvalid) as caught:
        read_document(data, sms, "world.yaml", path="providers.sms")
    problems = dict(caught.value.problems)
    assert problems["providers.sms.code_length"] == "99 is out of range; allowed 4 to 8"
    assert problems["providers.sms.validty"].endswith("; did you mean validity?")
    assert "{times: N}" in problems["providers.sms.outage"]
    assert "mainland mobile number" in problems["providers.sms.unreachable[0]"]
    assert "providers.sms.unreachable[1]" in problems
    assert len(problems) == 5


# -- random wrong values: each is listed, once -----------------------------------------------


def _settings() -> list[tuple[str, str]]:
    world = WorldSettings()
    return [
        (provider.name, setting.name)
        for provider in dataclasses.fields(world)
        if dataclasses.is_dataclass(getattr(world, provider.name))
        for setting in dataclasses.fields(getattr(world, provider.name))
    ]


SETTINGS = _settings()
# Values no setting takes: a nested mapping, a list of mappings, text with an escape code.
WRONG = st.sampled_from([{"nested": {"a": 1}}, [{"a": 1}], "\x1b[31mred", None])


@settings(max_examples=60, deadline=None)
@given(
    wrong=st.dictionaries(st.sampled_from(SETTINGS), WRONG, min_size=1, max_size=12),
    unknown=st.sets(st.sampled_from(["colour", "latensy", "x"]), max_size=2),
)
def test_every_wrong_value_in_a_scenario_is_listed(
    wrong: dict[tuple[str, str], object], unknown: set[str]
) -> None:
    providers: dict[str, dict[str, object]] = {}
    for (provider, setting), value in wrong.items():
        providers.setdefault(provider, {})[setting] = value
    # None is right only where a setting may be left empty.
    optional = {key for key, value in wrong.items() if value is None and _optional(*key)}
    for key in unknown:
        providers.setdefault("sms", {})[key] = 1
    data: dict[str, object] = {"providers": providers, **{k: 1 for k in unknown}}
    expected = {f"providers.{p}.{s}" for p, s in wrong if (p, s) not in optional}
    expected |= {f"providers.sms.{k}" for k in unknown} | set(unknown)
    if not expected:
        # Every value drawn was an empty optional setting: the scenario is sound.
        assert scenario_from_dict(data, "world.yaml").world is not None
        return
    with pytest.raises(ScenarioInvalid) as caught:
        scenario_from_dict(data, "world.yaml")
    paths = [p.key_path for p in caught.value.problems]
    # Each problem once, and each under a wrong setting; a wrong value inside a list of
    # settings (a card balance) may hold more than one problem (an unknown key, a missing one).
    assert len(paths) == len(set(paths)), paths
    assert {path.split("[")[0] for path in paths} == expected
    assert sum(1 for path in paths if "[" not in path) <= len(expected)


def _optional(provider: str, setting: str) -> bool:
    kind = type(getattr(WorldSettings(), provider))
    hint = typing.get_type_hints(kind)[setting]
    return type(None) in typing.get_args(hint)


# -- in Chinese --------------------------------------------------------------------------------


@pytest.fixture
def chinese() -> Iterator[None]:
    before = i18n.language()
    i18n.set_language("zh")
    yield
    i18n.set_language(before)


def test_problems_are_said_in_chinese(chinese: None) -> None:
    data = {"providers": {"sms": {"code_length": "six", "validty": "10m"}}, "nmae": "x"}
    with pytest.raises(ScenarioInvalid) as caught:
        scenario_from_dict(data, "world.yaml")
    message = str(caught.value)
    assert "providers.sms.code_length: 应为整数，而不是文本" in message, message
    assert "providers.sms.validty: 未知的设置；sms 的设置有 " in message, message
    assert "您是不是要找 validity？" in message and "您是不是要找 name？" in message, message
    with pytest.raises(ProductProblems) as product:
        load_products(overrides={"cash_loan": {"colour": "red"}})
    assert "cash_loan.colour: 未知的设置；cash_loan 的设置有 name" in str(product.value)


def test_scenario_validate_lists_every_problem_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "world.yaml"
    path.write_text(
        "providers:\n  sms: {code_length: 99, delivered: maybe}\naccounts: {phone: 1}\n",
        encoding="utf-8",
    )
    code, _out, err = run_cli(tmp_path, "--lang", "zh", "scenario", "validate", str(path))
    assert code == 2
    assert "3 " in err and "providers.sms.code_length: " in err, err
    assert "providers.sms.delivered: 应为true 或 false，而不是文本" in err, err
    assert "accounts: 应为列表，而不是映射" in err, err
