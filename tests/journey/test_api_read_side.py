"""The operations every CLI command now calls once, through ``loancli.api`` alone: the read
side (records, calendar, inbox, scenarios, the calculator), the account's devices, cards and
contacts, the state file's upkeep, ID cards and the demo. Each refusal names a domain field,
never a command-line option."""

from __future__ import annotations

import stat
from pathlib import Path

import msgspec
import pytest
from conftest import CARD_MASKED, PASSWORD, PHONE, PHONE_MASKED, happy_answers

from loancli import api
from loancli.errors import NotFound, RuleError, UsageError
from loancli.stories import tickets

PRESET = "phone-change"  # a scenario whose account (PHONE) has a card and a contact


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A state file holding one completed journey, 45 days on (its first installment
    overdue)."""
    state = tmp_path_factory.mktemp("read-side") / "state.json"
    done = api.apply(state, answers=happy_answers())
    assert done.record["status"] == "completed"
    api.advance_clock(state, "45d")
    return state, done.id


# -- records ---------------------------------------------------------------------------------


def test_applicants_and_flows_are_masked_lines(journey: tuple[Path, str]) -> None:
    state, applicant = journey
    rows = api.applicants(state)
    assert [row["id"] for row in rows] == [applicant]
    assert rows[0]["phone"] == PHONE_MASKED and rows[0]["status"] == "completed"
    assert api.flows(state) == []


def test_a_journeys_view_shows_its_loan_as_it_is_now(journey: tuple[Path, str]) -> None:
    state, applicant = journey
    view = api.record_view(state, applicant)
    assert not view.is_flow
    assert view.loan_now is not None and view.loan_now["overdue_installments"] >= 1
    # The schedule is the loan's current plan, with each installment's status.
    assert view.result["schedule"] == view.loan_now["installments"]
    assert view.result["schedule"][0]["status"] == "overdue"
    document = view.document()
    assert document["applicant"]["id"] == applicant and document["loan_now"] == view.loan_now


def test_a_flows_view_is_its_outcome_in_words(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    change = {
        "phone": PHONE,
        "password": PASSWORD,
        "new_phone": "13700137000",
        "identity_method": "sms",
        "old_phone_code": "auto",
        "new_phone_code": "auto",
    }
    done = api.change_phone(state, scenario=PRESET, answers=change)
    assert done.record["status"] == "completed"
    view = api.record_view(state, done.id, scenario=PRESET)
    assert view.is_flow and view.loan_now is None
    document = view.document()
    assert document["flow"]["id"] == done.id and document["flow"]["kind"] == "change_phone"
    assert document["change"]["new_phone"] == "137****7000"
    assert document["status"] == done.record["status"]
    assert document == {"flow": document["flow"], **done.flow_document()}


def test_an_unknown_record_names_the_record_field(journey: tuple[Path, str]) -> None:
    state, _applicant = journey
    with pytest.raises(NotFound) as refused:
        api.record_view(state, "A0042")
    assert refused.value.key == "record"


def test_explain_keeps_only_the_topics_asked(journey: tuple[Path, str]) -> None:
    state, applicant = journey
    every = api.explain(state, applicant)
    assert {"due_date", "amount"} <= set(every) and len(every) > 2
    assert set(api.explain(state, applicant, topics={"due_date"})) == {"due_date"}


def test_a_report_with_a_bundle_writes_it_and_names_it(journey: tuple[Path, str]) -> None:
    state, applicant = journey
    path = state.parent / "ticket.zip"
    made = tickets.report(state, applicant, bundle=path)
    assert made.bundle is not None and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert made.data["bundle"] == "ticket.zip"
    assert "loancli replay ticket.zip" in made.markdown()
    assert tickets.report(state, applicant).bundle is None


# -- the calendar ----------------------------------------------------------------------------


def test_the_calendar_opens_at_the_next_unpaid_installment(journey: tuple[Path, str]) -> None:
    state, applicant = journey
    shown = api.calendar(state, applicant)
    first_unpaid = next(x for x in shown.installments if x["status"] != "paid")
    assert f"{shown.year}-{shown.month:02d}" == first_unpaid["due_date"][:7]
    assert shown.view()["month"] == first_unpaid["due_date"][:7] and shown.ics is None


def test_the_calendar_writes_a_private_ics_for_the_month_asked(journey: tuple[Path, str]) -> None:
    state, applicant = journey
    ics = state.parent / "loan.ics"
    shown = api.calendar(state, applicant, month="2027-01", ics=ics)
    assert (shown.year, shown.month) == (2027, 1)
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600


@pytest.mark.parametrize("month", ["2026-13", "March", "２０２６-０４"])
def test_a_month_that_is_not_one_names_the_month_field(
    journey: tuple[Path, str], month: str
) -> None:
    state, applicant = journey
    with pytest.raises(RuleError) as refused:
        api.calendar(state, applicant, month=month)
    assert refused.value.field == "month"


def test_no_loan_names_the_loan_field(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as refused:
        api.calendar(api.in_memory())
    assert refused.value.key == "loan"


# -- the SMS inbox ---------------------------------------------------------------------------


def test_the_inbox_holds_the_journeys_messages_masked(journey: tuple[Path, str]) -> None:
    state, _applicant = journey
    inbox = api.sms_inbox(state, PHONE)
    assert inbox.phone == PHONE_MASKED
    assert inbox.messages and set(inbox.messages[0]) == {"at", "from", "text"}
    assert [m["at"] for m in inbox.messages] == sorted(m["at"] for m in inbox.messages)


def test_a_phone_that_is_not_one_names_the_phone_field(journey: tuple[Path, str]) -> None:
    state, _applicant = journey
    with pytest.raises(RuleError) as refused:
        api.sms_inbox(state, "12345")
    assert refused.value.field == "phone"


# -- the account's devices, cards and contacts -----------------------------------------------


def test_trusting_a_device_twice_changes_it_once(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = api.trust_device(state, PHONE, " Redmi K70 ", scenario=PRESET)
    again = api.trust_device(state, PHONE, "Redmi K70", scenario=PRESET)
    assert (first.model, first.changed, again.changed) == ("Redmi K70", True, False)
    assert "Redmi K70" in api.devices(state, PHONE, scenario=PRESET).view["trusted_devices"]
    forgotten = api.forget_device(state, PHONE, "Redmi K70", scenario=PRESET)
    assert "Redmi K70" not in forgotten.view["trusted_devices"]


def test_device_refusals_name_their_fields(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with pytest.raises(NotFound) as unknown:
        api.forget_device(state, PHONE, "Nokia 3310", scenario=PRESET)
    assert unknown.value.key == "model"
    with pytest.raises(RuleError) as long_model:
        api.trust_device(state, PHONE, "x" * 51, scenario=PRESET)
    assert long_model.value.field == "model"
    with pytest.raises(UsageError) as mode:
        api.set_two_step(state, PHONE, "sms", scenario=PRESET)
    assert mode.value.key == "mode"
    with pytest.raises(NotFound) as nobody:
        api.devices(state, "13900000000", scenario=PRESET)
    assert nobody.value.key == "phone"


def test_the_two_step_mode_is_read_as_typed(tmp_path: Path) -> None:
    done = api.set_two_step(tmp_path / "state.json", PHONE, " CODE ", scenario=PRESET)
    assert done.view["two_step"] == "code"


def test_cards_and_contacts_of_a_preset_account(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cards = api.cards(state, PHONE, scenario=PRESET)
    assert cards.phone == PHONE_MASKED
    assert [c["card"] for c in cards.cards] == [CARD_MASKED]
    contacts = api.contacts(state, PHONE, scenario=PRESET)
    assert [c["relation"] for c in contacts.contacts] == ["parent"]
    assert "13900139000" not in str(contacts)


def test_an_account_that_does_not_exist_names_the_phone_field(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    api.advance_clock(state, "1s")  # a state file that exists, with no account in it
    for read in (api.cards, api.contacts, api.check_account):
        with pytest.raises(NotFound) as refused:
            read(state, "13900000000")
        assert refused.value.key == "phone"


def test_the_self_check_remembers_when_it_ran(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = api.check_account(state, PHONE, scenario=PRESET)
    assert first["previous_check"] is None
    api.advance_clock(state, "2d", scenario=PRESET)
    second = api.check_account(state, PHONE, scenario=PRESET)
    assert second["previous_check"] == first["checked_at"]


# -- the state file --------------------------------------------------------------------------


def test_state_info_convert_and_prune(journey: tuple[Path, str], tmp_path: Path) -> None:
    state, _applicant = journey
    info = api.state_info(state)
    assert info.counts["applicants"] == 1
    copy = tmp_path / "copy.sqlite"
    made = api.convert_state(state, copy)
    assert made.backend == "sqlite" and made.counts == info.counts
    with pytest.raises(RuleError) as exists:
        api.convert_state(state, copy)
    assert exists.value.field == "to"
    with pytest.raises(RuleError) as day:
        api.prune_state(copy, "yesterday")
    assert day.value.field == "before"
    pruned = api.prune_state(copy, "2000-01-01")
    assert pruned.applicants == [] and api.state_info(copy).counts == info.counts


# -- no world: the calculator, scenarios, ID cards, the demo --------------------------------


def test_the_calculator_uses_the_scenarios_products(tmp_path: Path) -> None:
    scenario = tmp_path / "cheap.yaml"
    scenario.write_text("name: cheap\nproducts:\n  cash_loan: {apr_cap: '10'}\n", encoding="utf-8")
    terms = {"amount": "10000", "term": 12, "loan_date": "2026-03-02", "apr": "12"}
    assert api.quote(**terms).apr > 11
    with pytest.raises(RuleError) as refused:
        api.quote(**terms, scenario=str(scenario))
    assert refused.value.field == "apr"


def test_scenarios_list_show_and_find() -> None:
    rows = {row.name: row for row in api.scenarios()}
    assert rows["phone-change"].command == "account change-phone"
    assert rows["frozen-card"].expect == "card_frozen"
    shown = api.scenario("frozen-card")
    assert shown.text.startswith("name: frozen-card") and shown.source.endswith(".yaml")
    found = tickets.find("card_frozen")
    assert found[0].name == "frozen-card" and "--scenario frozen-card" in found[0].command
    with pytest.raises(UsageError) as refused:
        api.scenario("frozen-crad")
    assert refused.value.key == "scenario" and "frozen-card" in str(refused.value)


def test_an_invalid_scenario_file_names_the_scenario_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nproviders: {sms: {delivered: maybe}}\n", encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        api.validate_scenario(path)
    assert refused.value.key == "scenario" and "delivered" in str(refused.value)


def test_an_id_card_takes_its_area_from_the_address(tmp_path: Path) -> None:
    spec = api.CardSpec(
        name="李华",
        sex="female",
        birth_date="1995-08-20",
        address="广东省深圳市南山区科技园路1号",
        authority="深圳市公安局南山分局",
    )
    made = api.id_card(spec, tmp_path, stem="li")
    assert made.area == "440305" and made.number.startswith("440305")
    assert made.front == tmp_path / "li-front.png" and made.back.exists()
    nowhere = api.CardSpec(**{**msgspec.structs.asdict(spec), "address": "某省某县某村"})
    with pytest.raises(RuleError) as refused:
        api.id_card(nowhere, tmp_path)
    assert refused.value.field == "address"
    assert getattr(refused.value, "settled_by", None) == "area"
    given = api.CardSpec(**{**msgspec.structs.asdict(nowhere), "area": "110105"})
    assert api.id_card(given, tmp_path).area == "110105"


def test_the_demo_runs_the_happy_path_and_a_scenario_stops_it() -> None:
    done = api.demo(seed=3)
    assert done.record["status"] == "completed" and done.journey_result()["loan"] is not None
    frozen = api.demo(scenario="frozen-card")
    assert frozen.stopped and frozen.record["reason"] == "card_frozen"


def test_a_stopped_flow_s_document_has_its_kind_s_keys_wherever_it_is_shown(
    tmp_path: Path,
) -> None:
    """``card bind --json`` of a stopped flow said ``"card": null`` and ``flows show --json``
    left the key out: the command chose its empty keys. The library does, by the flow's kind,
    for every kind there is."""
    from conftest import run_json

    from loancli.support.listing import EMPTY_VIEWS
    from loancli.support.reporting import FLOW_NAMES

    assert set(EMPTY_VIEWS) == set(FLOW_NAMES)
    db = tmp_path / "state.json"
    assert run_json(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    bind = ("--scenario", "card-bind-failed", "--no-input", "card", "bind")
    code, bound = run_json(tmp_path, *bind, "--answers", "happy-path", db=db)
    assert code == 3 and bound["card"] is None, bound
    code, shown = run_json(tmp_path, "flows", "show", bound["flow_id"], db=db)
    assert code == 0 and shown == {"flow": shown["flow"], **bound}


def test_a_loan_s_timeline_and_explanation_name_the_journey_they_are_of(
    journey: tuple[Path, str],
) -> None:
    """``timeline l0001 --json`` said ``"applicant_id": "L0001"`` over A0001's events: the
    id as typed, not the journey the library found."""
    from conftest import run_json

    state, applicant = journey
    assert api.timeline(state, "l0001").record_id == applicant
    assert api.explain(state, "L0001").record_id == applicant
    for command in ("timeline", "explain"):
        code, doc = run_json(state.parent, command, "l0001", db=state)
        assert code == 0 and doc["applicant_id"] == applicant, doc


def test_a_timeline_and_an_explanation_look_their_record_up_once(
    journey: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record a loan id names was found twice per command: once for the id the result
    names, once for its events. Each command now reads it once."""
    from loancli.store import base

    state, applicant = journey
    lookups: list[object] = []
    real_get = base.Store.get

    def counted(self: base.Store, table: str, **match: object) -> object:
        if table == "applicants":
            lookups.append(match)
        return real_get(self, table, **match)

    monkeypatch.setattr(base.Store, "get", counted)
    assert api.timeline(state, "L0001").record_id == applicant
    assert lookups == [{"id": applicant}]
    lookups.clear()
    assert api.explain(state, "L0001").record_id == applicant
    assert lookups == [{"id": applicant}]
