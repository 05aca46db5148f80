"""The operations: every command that changes a world, as a typed function (the public tour
is :mod:`loancli.api`, which re-exports them).

The CLI parses its options and calls one of these; a ticket's or a story's actions call them
too; so can a script or a test::

    from loancli import api

    result = api.apply("state.json", seed=7, scenario="frozen-card", answers=answers)
    assert result.record["reason"] == "card_frozen"
    api.change_phone("state.json", answers=change_phone_answers)

Each takes the state file (``None``: the default one) and the world's arguments
(:class:`~loancli.journey.session.WorldArgs`: seed, clock, scenario, answers, ``--set`` items,
a prompter for a person at a terminal, ...) and returns a :class:`RunResult`: the applicant
or flow record as stored, and the world's figures its sentences state. Errors are loancli's
own (:mod:`loancli.errors`); nothing here imports a terminal library.

A run is also data: an :class:`Action` says what to do (``apply``, ``checkout`` with its
item, price and periods, ...) and in which world (seed, clock, language, scenario) with which
answers, and :func:`perform` does it. Tickets and stories are lists of actions; no field of
an action is ever a command-line word or a path on this machine.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal, TypedDict, Unpack, cast

import msgspec

from loancli.account import security
from loancli.account.accounts import checked_mobile, require_account
from loancli.account.cards import CardView, card_view, cards_of, cards_to_move_to
from loancli.account.contacts import ContactView, contact_view, contacts_of
from loancli.account.hashing import HashGrade
from loancli.account.security import AccountView
from loancli.clock import parse_clock, parse_date, parse_duration
from loancli.dburl import ServerUrl
from loancli.errors import RuleError
from loancli.journey import account_flows, login, repayment
from loancli.journey import checkout as checkout_flow
from loancli.journey.core import Journey
from loancli.journey.repayment import Agreed
from loancli.journey.runner import (
    JourneyResult,
    result_of,
    resume_journey,
    run_one_step,
    start_journey,
)
from loancli.journey.session import (
    World,
    WorldArgs,
    bring_loans,
    note_servicing_world,
    open_world,
    run_flow,
    world_ref,
)
from loancli.loan import bureau
from loancli.loan.debits import keep_pruned_debits, owed_back
from loancli.loan.loans import ClockEvent, LoanView, loan_view
from loancli.masking import Private, mask_phone, mask_text
from loancli.questions import QUESTIONS
from loancli.reasons import Reason
from loancli.records import (
    Account,
    Applicant,
    CreditEntry,
    Flow,
    Loan,
    Objection,
    ObjectionWorld,
    Payment,
    RunAction,
    is_flow,
)
from loancli.store import (
    DEFAULT_LOCK_TIMEOUT,
    MemoryState,
    Store,
    gc_paused,
    location_of,
    missing_state_file,
    state_absent,
    state_empty,
)
from loancli.store import admin as state_admin
from loancli.support import reporting
from loancli.support.account_check import SelfCheck, self_check
from loancli.support.listing import FlowDocument, flow_document
from loancli.world.demo import write_demo_answers
from loancli.world.scenario import Scenario, load_scenario

StatePath = str | os.PathLike[str] | ServerUrl | MemoryState | None
# An answer as a ticket or story writes it: text (a yes or no, a number) or a list of retries.
Scalar = str | int | bool
Answer = Scalar | list[Scalar]
Id = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][0-9]{1,9}$", max_length=10)]


class RunResult(msgspec.Struct):
    """What a journey or flow run left: its record as stored (applicant or flow) and the
    figures of the world it ran in (what its reason sentences state)."""

    record: Applicant | Flow
    facts: Mapping[str, str]

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def stopped(self) -> bool:
        return self.record["status"] == "stopped"

    @property
    def passed_on_the_way_back(self) -> bool:
        """Whether this run was a step run again (``step``) before the one the journey stopped
        at, and passed: the journey stays stopped where it was
        (``journey.runner.run_one_step``), the step done."""
        runs = self.record.get("runs") or []
        name = runs[-1].get("step") if runs else None
        events = self.record.get("events", [])
        ran = [i for i, e in enumerate(events) if e["event"] == "step_run"]
        if not name or not ran or not self.stopped or self.record.get("step") == name:
            return False
        return not any(e["event"] == "stopped" for e in events[ran[-1] :])

    def journey_result(self) -> JourneyResult:
        """An applicant's JSON-ready, masked result (``apply --json``)."""
        if is_flow(self.record):
            raise TypeError(f"{self.record['id']} is a flow's run, not a journey's")
        return result_of(self.record, self.facts)

    def flow_document(self) -> FlowDocument:
        """A flow's JSON-ready result (``card bind --json``): status, reason in words, advice,
        the flow's own view (its keys there, empty, until it completed), the events: what
        ``flows show --json`` gives."""
        if not is_flow(self.record):
            raise TypeError(f"{self.record['id']} is a journey's run, not a flow's")
        return flow_document(self.record, self.facts)


def _run(
    state: StatePath,
    start: Callable[[Journey], Applicant | Flow],
    command: str,
    action: Action,
    world: WorldArgs,
) -> RunResult:
    world.setdefault("action", action_fields(action))
    record, journey = run_flow(state, start, command=command, **world)
    return RunResult(record, journey.facts)


# -- the operations ---------------------------------------------------------------------


def apply(state: StatePath, **world: Unpack[WorldArgs]) -> RunResult:
    """The loan journey of a new applicant, login to disbursement."""

    def start(j: Journey) -> Applicant:
        j.run["resume"] = None
        return start_journey(j)

    return _run(state, start, "apply", Apply(), world)


def resume(state: StatePath, applicant: str, **world: Unpack[WorldArgs]) -> RunResult:
    """Continue a stopped or interrupted journey from the step it stopped at."""

    def start(j: Journey) -> Applicant:
        j.run["resume"] = applicant
        return resume_journey(j, applicant)

    return _run(state, start, "apply", Resume(applicant=applicant), world)


def run_step(state: StatePath, applicant: str, step: str, **world: Unpack[WorldArgs]) -> RunResult:
    """Run one step of an applicant's journey again (support: "send the SMS again")."""

    def start(j: Journey) -> Applicant:
        j.run["resume"] = None
        return run_one_step(j, applicant, step)

    return _run(state, start, "apply", Step(applicant=applicant, step=step), world)


def change_phone(state: StatePath, **world: Unpack[WorldArgs]) -> RunResult:
    """Change the account's mobile number (identity by SMS to the old number or by face)."""
    return _run(state, account_flows.change_phone, "account change-phone", ChangePhone(), world)


def bind_card(state: StatePath, **world: Unpack[WorldArgs]) -> RunResult:
    """Bind a debit or credit card (again, after a phone change)."""
    return _run(state, account_flows.bind, "card bind", BindCard(), world)


def unbind_card(state: StatePath, card: str, **world: Unpack[WorldArgs]) -> RunResult:
    """Unbind a card, after logging in as its account."""
    return _run(
        state,
        lambda j: account_flows.unbind(j, card),
        "card unbind",
        UnbindCard(card=card),
        world,
    )


def use_card(
    state: StatePath, card: str, loan: str | None = None, **world: Unpack[WorldArgs]
) -> RunResult:
    """Repay the account's running loans (or ``loan``) from bound card ``card`` from now on
    (更换还款卡), after logging in as its account."""
    # Kept as the id it names (a story's action reads ``L0001``; ``l0001`` was refused there).
    loan = loan.strip().upper() if loan is not None else None
    return _run(
        state,
        lambda j: account_flows.use_card(j, card, loan),
        "card use",
        UseCard(card=card, loan=loan),
        world,
    )


def add_contact(state: StatePath, **world: Unpack[WorldArgs]) -> RunResult:
    """Add an emergency contact."""
    return _run(state, account_flows.add_contact, "contacts add", AddContact(), world)


def remove_contact(state: StatePath, contact: str, **world: Unpack[WorldArgs]) -> RunResult:
    """Remove an emergency contact, after logging in as its account."""
    return _run(
        state,
        lambda j: account_flows.remove_contact(j, contact),
        "contacts remove",
        RemoveContact(contact=contact),
        world,
    )


def log_in(state: StatePath, **world: Unpack[WorldArgs]) -> RunResult:
    """Log in, with the new-device checks."""
    return _run(state, login.login_flow, "login", Login(), world)


def unlock(state: StatePath, phone: str, **world: Unpack[WorldArgs]) -> RunResult:
    """Customer service unlocks an account locked by wrong passwords (``phone``: its mobile
    or ID number, as a person types either, or the id of a journey or flow on it)."""
    phone = _account_named(state, phone)
    with suppress(ValueError):  # else the flow refuses it, naming the phone
        # Recorded as the checks keep it (``+86 155 7573 8225`` as 15575738225): a ticket's
        # story holds an account in that form only.
        phone = QUESTIONS["login_id"].parse(phone)
    return _run(
        state,
        lambda j: login.unlock_flow(j, phone),
        "support unlock",
        Unlock(phone=phone),
        world,
    )


def _account_named(state: StatePath, given: str) -> str:
    """The number of the account a journey or flow was on, for ``support unlock A0001``: the
    advice of a stop names its record's id, as the number is masked on every screen (it
    named PHONE, which pasted was refused; found by a QA walk). Anything else as typed."""
    wanted = given.strip().upper()
    path = location_of(state)
    if not re.fullmatch(r"[AF][0-9]{4,}", wanted) or (
        isinstance(path, Path) and (state_absent(path) or state_empty(path))
    ):
        return given
    with Store(path, read_only=True) as store:
        phone = reporting.resolve(store, wanted, key="phone").get("phone")
    return phone if isinstance(phone, str) and phone else given


def checkout(
    state: StatePath, item: str, price: str, periods: int = 12, **world: Unpack[WorldArgs]
) -> RunResult:
    """Pay at a shop in installments. The order is checked against the world's installment
    product before anything is written (``RuleError`` naming item, price or periods)."""
    scenario = world.get("scenario")
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    product = loaded.world.product(checkout_flow.PRODUCT)
    name, amount = checkout_flow.check_order(product, item, price, periods)
    world["scenario"] = loaded
    return _run(
        state,
        lambda j: checkout_flow.checkout(j, name, amount, periods),
        "checkout",
        # What was checked, as a story writes it (2499.00, not 2499元 or 0.25万).
        Checkout(item=name, price=str(amount), periods=periods),
        world,
    )


def demo(**world: Unpack[WorldArgs]) -> RunResult:
    """The happy-path journey, scripted, in a fresh world that is gone afterwards (its
    answers and ID card images made for it): what ``loancli demo`` shows."""
    with tempfile.TemporaryDirectory(prefix="loancli-demo-") as tmp:
        folder = Path(tmp)
        world["answers"] = write_demo_answers(folder)
        return apply(folder / "state.json", **world)


# -- the world between journeys: the clock and the loans -----------------------------------


class WorldOptions(TypedDict, total=False):
    """What decides a one-unit command's world besides the state file."""

    clock: str | datetime | None
    scenario: str | Scenario | None
    lock_timeout: float | None
    on_wait: Callable[[str], None] | None
    command: str
    # The password-hashing grade of a new state file (journey.session.file_grade).
    hashing: HashGrade | None
    # Told advice about the state file itself (a large JSON file), once.
    on_notice: Callable[[str], None] | None


class ClockMove(msgspec.Struct, frozen=True):
    """The simulated now after a clock move, and what fell due, went overdue, accrued
    penalty or was reminded on the way (each: on, loan, applicant, event, detail)."""

    now: datetime
    events: list[ClockEvent]


class Repaid(msgspec.Struct, frozen=True):
    """A repayment: the loan after it, and the payment made or the reason it was refused."""

    loan: Loan
    today: date
    facts: Mapping[str, str]
    payment: Payment | None = None
    refused: Reason | None = None

    def view(self) -> PaidView | RefusedView:
        """The JSON-ready, masked result (``repay --json``): the loan as it is now
        (:class:`LoanView`'s keys) with ``status`` paid and the ``payment``, or ``status``
        refused with the reason, its message and advice."""
        now = loan_view(self.loan, self.today)
        if self.refused is None:
            assert self.payment is not None  # a repayment made says what it paid
            return {"status": "paid", "payment": self.payment, **now}
        return {
            "status": "refused",
            "reason": self.refused.value,
            "message": self.refused.repay_sentence_in(self.facts),
            "advice": self.refused.advice_in(self.facts, kind="repay"),
            **now,
        }


class PaidView(LoanView):
    """``repay --json`` of a repayment made: the payment, and the loan as it is now."""

    status: Literal["paid"]
    payment: Payment


class RefusedView(LoanView):
    """``repay --json`` of a repayment refused: why, in the reader's language, what to do,
    and the loan as it is (unchanged)."""

    status: Literal["refused"]
    reason: str
    message: str
    advice: str


class RestructuredView(LoanView):
    """``restructure --json``: the loan as it is now, and what the re-instalment agreed."""

    restructure: Agreed


class Restructured(msgspec.Struct, frozen=True):
    """A re-instalment: the loan after it and what was agreed."""

    loan: Loan
    today: date
    change: Agreed

    def view(self) -> RestructuredView:
        """The JSON-ready result (``restructure --json``): what was agreed, and the loan now."""
        return {"restructure": self.change, **loan_view(self.loan, self.today)}


def clock_now(state: StatePath, **options: Unpack[WorldOptions]) -> datetime:
    """The state file's simulated now (nothing is written)."""
    with world_for(state, options, read_only=True) as world:
        return world.clock.now()


def advance_clock(
    state: StatePath, by: str | timedelta, **options: Unpack[WorldOptions]
) -> ClockMove:
    """Move the simulated clock forward by ``by`` (``90s``, ``6m``, ``2h``, ``40d``): loans
    fall due, go overdue, accrue penalty and send reminders on the way. One unit."""
    delta = by if isinstance(by, timedelta) else _duration(by)
    # The collector paused for the pass and its commit: a world of 10,000 loans is read,
    # moved and written as some million objects, and no cycles.
    with gc_paused(), world_for(state, options, whole_world=True) as world:
        with _as_field("duration"):
            world.clock.advance(delta)
        return _moved(world)


def set_clock(state: StatePath, to: str | datetime, **options: Unpack[WorldOptions]) -> ClockMove:
    """Move the simulated clock to ``to`` (never back). One unit."""
    target = to if isinstance(to, datetime) else _when(to)
    with gc_paused(), world_for(state, options, whole_world=True) as world:
        with _as_field("when"):
            world.clock.set(target)
        return _moved(world)


def repay(
    state: StatePath,
    loan: str,
    *,
    installment: int | None = None,
    amount: str | None = None,
    settle: bool = False,
    **options: Unpack[WorldOptions],
) -> Repaid:
    """Repay loan ``loan`` (``L0001``, or the newest loan of ``A0001``/``F0001``) from its
    bound card: installment N in full, an amount (dues first, the rest prepays principal),
    or everything (``settle``, with interest to date). One unit."""
    repayment.check_choice(installment, amount, settle)
    with world_for(state, options) as world:
        today = world.clock.now().date()
        done = repayment.repay(
            world.store,
            world.scenario.world,
            world.clock.isoformat(),
            today,
            loan,
            installment=installment,
            amount=amount,
            settle=settle,
        )
        # The world it was made in, for a ticket to make it there again.
        note_servicing_world(world, done.loan)
        facts = world.scenario.world.facts()
        if done.refused is not None:
            # The account's other card that can take the loan over, which the advice's
            # ``card use`` names (it named CARD_ID, a word to replace; found by a QA walk).
            bank = world.scenario.world.bank.card_status
            others = cards_to_move_to(world.store, done.loan, bank)
            if others:
                facts = {**facts, "card_id": others[0]["id"]}
    return Repaid(done.loan, today, facts, done.payment, done.refused)


def restructure(
    state: StatePath, loan: str, term: int, **options: Unpack[WorldOptions]
) -> Restructured:
    """协商二次分期: an overdue loan's remaining debt becomes a new plan of ``term`` months."""
    with world_for(state, options) as world:
        today = world.clock.now().date()
        done = repayment.restructure(
            world.store, world.scenario.world, world.clock.isoformat(), today, loan, term
        )
        note_servicing_world(world, done.loan)
    return Restructured(done.loan, today, done.change)


class CreditEntryView(TypedDict):
    """One entry the credit bureau holds (or held), JSON-ready."""

    entry: str
    loan: str
    installment: int
    due_date: str
    amount: str
    notified_on: str
    reported_on: str
    status: str
    default_ended_on: str | None
    drops_on: str | None
    objection: Objection | None


class CreditReportView(TypedDict):
    """``credit-report --json``: the applicant's entries at the simulated bureau."""

    applicant_id: str
    today: str
    held: int
    entries: list[CreditEntryView]


class CreditReport(msgspec.Struct, frozen=True):
    """What the simulated credit bureau holds about an applicant, on a day."""

    applicant_id: str
    today: date
    entries: list[CreditEntry]
    # The entry an objection was just filed to, if the call filed one.
    filed: str | None = None
    # The borrower's words an objection's reason (their own words) is shown without.
    private: Private = ()

    def view(self) -> CreditReportView:
        rows: list[CreditEntryView] = [
            {
                "entry": x["id"],
                "loan": x["loan"],
                "installment": x["installment"],
                "due_date": x["due_date"],
                "amount": x["amount"],
                "notified_on": x["notified_on"],
                "reported_on": x["reported_on"],
                "status": x["status"],
                "default_ended_on": x["default_ended_on"],
                "drops_on": x["drops_on"],
                "objection": _shown_objection(x.get("objection"), self.private),
            }
            for x in self.entries
        ]
        return {
            "applicant_id": self.applicant_id,
            "today": self.today.isoformat(),
            "held": sum(1 for x in self.entries if x["status"] == "held"),
            "entries": rows,
        }


def credit_report(
    state: StatePath,
    record: str,
    *,
    objection: tuple[str, str] | None = None,
    **options: Unpack[WorldOptions],
) -> CreditReport:
    """What the credit bureau holds about the borrower of ``record`` (``A0001``, ``F0001`` or a
    loan ``L0001``): each entry, when it was made and when it drops off. ``objection``
    (entry, reason) files an objection first (answered within 20 days as the clock moves)."""
    with world_for(state, options, read_only=objection is None) as world:
        today = world.clock.now().date()
        # The applicant (or checkout flow) of the record: a loan names the one that made it.
        found = reporting.resolve(world.store, record)
        applicant_id = found["id"]
        filed = None
        if objection is not None:
            entry, reason = objection
            filed = bureau.file_objection(
                world.store,
                found,
                entry,
                reason,
                today,
                world.scenario.world.bureau.objection_answer_days,
                at=world.clock.now().isoformat(),
                world=cast("ObjectionWorld", world_ref(world)),
                answer=world.scenario.world.bureau.objection_outcome,
            )["id"]
        entries = bureau.entries_about(world.store, found)
        private = tuple(reporting.private_of(world.store, found))
        return CreditReport(applicant_id, today, entries, filed, private)


def _shown_objection(objection: Objection | None, private: Private) -> Objection | None:
    """An objection with its reason (the borrower's words) masked as free text is, and
    without the answer its world will give: the bureau's to say when it answers (``outcome``),
    not before (found by a QA walk)."""
    if objection is None:
        return None
    shown: Objection = {**objection, "reason": mask_text(objection["reason"], private)}
    shown.pop("answer", None)
    return shown


def world_for(
    state: StatePath,
    options: WorldOptions,
    *,
    read_only: bool = False,
    with_accounts: bool = False,
    whole_world: bool = False,
) -> AbstractContextManager[World]:
    """The world of one command: one commit unit, or (``read_only``) no lock and no write;
    ``with_accounts`` first makes the accounts the scenario says exist; ``whole_world`` says
    the unit moves the clock (on a shared server it runs alone)."""
    return open_world(
        state,
        clock=options.get("clock"),
        scenario=options.get("scenario"),
        with_accounts=with_accounts,
        read_only=read_only,
        unit=not read_only,
        lock_timeout=options.get("lock_timeout"),
        on_wait=options.get("on_wait"),
        command=options.get("command", ""),
        hashing=options.get("hashing"),
        on_notice=options.get("on_notice"),
        whole_world=whole_world,
    )


def _account_world(
    state: StatePath, options: WorldOptions, *, reading: bool = False
) -> AbstractContextManager[World]:
    """The world of a command about an existing account (``device``, ``card list``,
    ``contacts list``, ``account check``): a state file that does not exist is refused naming
    ``db`` (a mistyped path), unless the scenario brings the accounts itself; an empty one
    (0 bytes) holds no account either, and is read as every reader reads it, never given a
    store's tables by a command that finds nothing in it. A command that only shows
    (``reading``) writes only the accounts its scenario brings: in a world of none it takes
    no lock and writes nothing, its ``--clock`` only the time it shows the account at."""
    path = location_of(state)
    given = options.get("scenario")
    loaded = given if isinstance(given, Scenario) else load_scenario(given)
    options = {**options, "scenario": loaded}  # read once, for the world too
    if isinstance(path, Path) and ((absent := state_absent(path)) or state_empty(path)):
        if not loaded.accounts and absent:
            raise missing_state_file(path)
        if not loaded.accounts:
            return world_for(state, options, read_only=True)
    if reading and not loaded.accounts:
        return world_for(state, options, read_only=True)
    return world_for(state, options, with_accounts=True)


def _moved(world: World) -> ClockMove:
    # In the order of their days, each day's in the pass's order (loan by loan): loans were
    # said one after the other, a month of one before the month of the next, and the list
    # went back a month between them (found by a QA walk).
    events = sorted(bring_loans(world), key=lambda e: e["on"])
    return ClockMove(world.clock.now(), events)


@contextmanager
def _as_field(name: str) -> Iterator[None]:
    """A clock rule's refusal names the value this command was given."""
    try:
        yield
    except RuleError as exc:
        raise RuleError(name, exc.unkeyed) from None


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise RuleError("duration", str(exc)) from None


def _when(text: str) -> datetime:
    try:
        return parse_clock(text)
    except ValueError as exc:
        raise RuleError("when", str(exc)) from None


# -- the account's security, cards and contacts -------------------------------------------
#
# Each opens the world with the scenario's preset accounts (made on first use), as the flows
# that change the account do.


class Devices(msgspec.Struct, frozen=True):
    """An account's security view as ``device list`` shows it (masked, JSON-ready: trusted
    devices, two-step mode, this scenario's phone, last login, lock); after a change, the
    device it was about and whether anything changed."""

    view: AccountView
    model: str | None = None
    changed: bool = False


def devices(state: StatePath, account: str, **options: Unpack[WorldOptions]) -> Devices:
    """The trusted devices of the account named by mobile or ID number (``account``)."""
    with _account_world(state, options, reading=True) as world:
        found = security.account_for(world.store, account)
        return Devices(_security_view(world, found))


def trust_device(
    state: StatePath, account: str, model: str, **options: Unpack[WorldOptions]
) -> Devices:
    """Trust a device: its logins no longer need two-step verification."""
    name = security.check_model(model)
    with _account_world(state, options) as world:
        found = security.account_for(world.store, account)
        added = security.trust_device(world.store, found, name, world.clock.now().isoformat())
        return Devices(_security_view(world, found), name, added)


def forget_device(
    state: StatePath, account: str, model: str, **options: Unpack[WorldOptions]
) -> Devices:
    """Forget a trusted device (``NotFound`` naming ``model`` if it was not trusted): its
    next login needs two-step verification again."""
    name = security.check_model(model)
    with _account_world(state, options) as world:
        found = security.account_for(world.store, account)
        security.forget_device(world.store, found, name, world.clock.now().isoformat())
        return Devices(_security_view(world, found), name, True)


def set_two_step(
    state: StatePath, account: str, mode: str, **options: Unpack[WorldOptions]
) -> Devices:
    """Set the two-step verification a login from an untrusted device must pass: ``confirm``
    or ``code`` (a refusal names ``mode``)."""
    with _account_world(state, options) as world:
        found = security.account_for(world.store, account)
        security.set_two_step(
            world.store, found, mode.strip().lower(), world.clock.now().isoformat()
        )
        return Devices(_security_view(world, found))


def _security_view(world: World, account: Account) -> AccountView:
    return security.account_view(
        world.store, account, world.scenario.world.device, world.clock.now()
    )


def check_account(state: StatePath, phone: str, **options: Unpack[WorldOptions]) -> SelfCheck:
    """The quarterly self-check of the account ``phone``: stale or inconsistent data, each
    with its fix (masked, JSON-ready); records when it ran."""
    number = checked_mobile(phone)
    with _account_world(state, options) as world:
        return self_check(world.store, number, world.scenario.world, world.clock.now())


class Cards(msgspec.Struct, frozen=True):
    """An account's cards as ``card list`` shows them: masked, with what each can do."""

    phone: str
    cards: list[CardView]


def cards(
    state: StatePath,
    phone: str,
    *,
    include_unbound: bool = False,
    **options: Unpack[WorldOptions],
) -> Cards:
    """The cards bound to the account ``phone`` (with ``include_unbound``, also the unbound
    ones), oldest first, each with its status as the scenario's bank sees it."""
    number = checked_mobile(phone)
    with _account_world(state, options, reading=True) as world:
        require_account(world.store, number)
        bank = world.scenario.world.bank.card_status
        found = cards_of(world.store, number, include_unbound=include_unbound)
        return Cards(mask_phone(number), [card_view(card, bank) for card in found])


class Contacts(msgspec.Struct, frozen=True):
    """An account's emergency contacts as ``contacts list`` shows them: masked."""

    phone: str
    contacts: list[ContactView]


def contacts(state: StatePath, phone: str, **options: Unpack[WorldOptions]) -> Contacts:
    """The emergency contacts of the account ``phone`` (the journey's profile contact
    included), oldest first."""
    number = checked_mobile(phone)
    with _account_world(state, options, reading=True) as world:
        require_account(world.store, number)
        found = contacts_of(world.store, number)
        return Contacts(mask_phone(number), [contact_view(c) for c in found])


# -- the state file itself -----------------------------------------------------------------


def convert_state(
    source: str | os.PathLike[str] | ServerUrl, target: str | os.PathLike[str] | ServerUrl
) -> state_admin.Info:
    """Copy every record of the world ``source`` into a new one, ``target``: a file of either
    backend (by its suffix) or a PostgreSQL server's empty world (``postgresql://...``), in
    any direction; a refusal names ``from`` or ``to``."""
    return state_admin.convert(location_of(source), location_of(target))


def prune_state(
    state: StatePath, before: str | date, **options: Unpack[WorldOptions]
) -> state_admin.Pruned:
    """Drop the journeys and flows closed before ``before`` (``YYYY-MM-DD``; a refusal names
    ``before``), with their loans and messages; one unit."""
    day = before if isinstance(before, date) else _day(before)
    path = location_of(state)
    if isinstance(path, Path) and state_absent(path):
        # A mistyped path: there is nothing to prune, and no new empty world to make there.
        raise missing_state_file(path)
    timeout = options.get("lock_timeout")
    with Store(
        state,
        DEFAULT_LOCK_TIMEOUT if timeout is None else timeout,
        create_dirs=False,
        on_wait=options.get("on_wait"),
        command=options.get("command", ""),
        on_notice=options.get("on_notice"),
    ) as store:
        return state_admin.prune(store, day, owed_back, keep_pruned_debits)


def _day(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise RuleError("before", str(exc)) from None


# -- runs as data -------------------------------------------------------------------------


class Action(
    msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True, tag_field="action"
):
    """One run of a journey or flow, as data: what to do, in which world, with which answers.

    ``record`` is the id the run made or went on with where it was recorded (a ticket maps it
    to the id the replay makes); ``setup`` marks a run that only made the state a later one
    needs (a flow's ticket carries the journey that made its account). ``scenario`` is a
    built-in scenario's name, ``scenario_text`` a scenario's whole YAML (which wins); with
    neither, and no ``lang``, the run takes its story's world (a ticket's: the default world,
    in English). An image answer names a member of the ticket's bundle or a built-in image.
    """

    record: Id | None = None
    setup: bool = False
    # The run ended before its steps did where it was recorded (an answer missing or
    # refused, Ctrl-C): replayed, it ends where its answers run out, and that is no refusal.
    # Its answers are every one the run took, defaults too: a question none of them answers
    # takes no default, it is where the run ended.
    interrupted: bool = False
    # The id the record had where it was recorded, when the replay numbers it otherwise: its
    # random draws (face actions, faults that fire by chance) are keyed by it, as they were.
    draws: Id | None = None
    # None: the story's world's seed (0 is a seed of its own).
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | None = None
    clock: datetime | None = None
    lang: Literal["en", "zh"] | None = None
    scenario: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")] | None = None
    scenario_text: Annotated[str, msgspec.Meta(max_length=1024 * 1024)] | None = None
    answers: dict[str, Answer] = {}


class Apply(Action, tag="apply"):
    """A new applicant's journey (``apply``)."""


class Resume(Action, tag="resume"):
    """``apply --resume APPLICANT``."""

    applicant: Id


class Step(Action, tag="step"):
    """``step APPLICANT STEP``."""

    applicant: Id
    step: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,40}$")]


class ChangePhone(Action, tag="change_phone"):
    """``account change-phone``."""


class BindCard(Action, tag="bind_card"):
    """``card bind``."""


class UnbindCard(Action, tag="unbind_card"):
    """``card unbind CARD``."""

    card: Id


class UseCard(Action, tag="use_card"):
    """``card use CARD [--loan LOAN]``."""

    card: Id
    loan: Id | None = None


class AddContact(Action, tag="add_contact"):
    """``contacts add``."""


class RemoveContact(Action, tag="remove_contact"):
    """``contacts remove CONTACT``."""

    contact: Id


class Login(Action, tag="login"):
    """``login``."""


class Unlock(Action, tag="unlock"):
    """``support unlock PHONE``."""

    phone: Annotated[str, msgspec.Meta(pattern=r"^[0-9X]{11,18}$")]


class Checkout(Action, tag="checkout"):
    """``checkout --item ITEM --price PRICE --periods N``."""

    item: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    price: Annotated[str, msgspec.Meta(pattern=r"^[0-9][0-9,]{0,15}(\.[0-9]{1,2})?$")]
    periods: Annotated[int, msgspec.Meta(ge=1, le=60)] = 12


AnyAction = (
    Apply
    | Resume
    | Step
    | ChangePhone
    | BindCard
    | UnbindCard
    | UseCard
    | AddContact
    | RemoveContact
    | Login
    | Unlock
    | Checkout
)
ACTIONS: dict[str, type[Action]] = {
    str(kind.__struct_config__.tag): kind
    for kind in (
        Apply,
        Resume,
        Step,
        ChangePhone,
        BindCard,
        UnbindCard,
        UseCard,
        AddContact,
        RemoveContact,
        Login,
        Unlock,
        Checkout,
    )
}
# The fields every action shares (the world and the answers), as opposed to its own.
WORLD_FIELDS = frozenset(Action.__struct_fields__)


def action_fields(action: Action) -> RunAction:
    """What a run record keeps of its action: its kind and its own fields."""
    out: dict[str, object] = {"action": action.__struct_config__.tag}
    for name in action.__struct_fields__:
        # An optional field not given is not kept (a run of every loan names none).
        if name not in WORLD_FIELDS and getattr(action, name) is not None:
            out[name] = getattr(action, name)
    # An action's own fields are records.RunAction's keys (tests/journey: every action's run
    # record is read back through the state file's checks).
    return cast(RunAction, out)


def perform(state: StatePath, what: Action, **world: Unpack[WorldArgs]) -> RunResult:
    """Do ``what`` in the world of ``state`` (the action's seed, clock and scenario are the
    caller's to pass in ``world``, as a ticket's replay resolves them)."""
    match what:
        case Apply():
            return apply(state, **world)
        case Resume(applicant=applicant):
            return resume(state, applicant, **world)
        case Step(applicant=applicant, step=step):
            return run_step(state, applicant, step, **world)
        case ChangePhone():
            return change_phone(state, **world)
        case BindCard():
            return bind_card(state, **world)
        case UnbindCard(card=card):
            return unbind_card(state, card, **world)
        case UseCard(card=card, loan=loan):
            return use_card(state, card, loan, **world)
        case AddContact():
            return add_contact(state, **world)
        case RemoveContact(contact=contact):
            return remove_contact(state, contact, **world)
        case Login():
            return log_in(state, **world)
        case Unlock(phone=phone):
            return unlock(state, phone, **world)
        case Checkout(item=item, price=price, periods=periods):
            return checkout(state, item, price, periods, **world)
    raise TypeError(f"not an action: {what!r}")
