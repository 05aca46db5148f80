"""loancli as a library: open a world, run journeys and flows in it, move its clock, repay,
and read what happened. Nothing here imports a terminal library; every error is one of
:mod:`loancli.errors`.

A world is where the state lives (a file path, :func:`in_memory`, or ``None`` for the default
file) and how the outside parties behave (a scenario). Every operation takes the state first
and the world's arguments as keywords, and returns a typed result::

    from loancli import api

    state = api.in_memory()                      # or "state.json", "big.sqlite"
    done = api.apply(state, answers=happy_path)   # the loan journey
    assert done.record["status"] == "completed"
    api.advance_clock(state, "45d")               # installments fall due, go overdue
    api.restructure(state, done.id, 6)            # 协商二次分期 over 6 months
    api.repay(state, done.id, installment=1)
    api.change_phone(state, answers=change_phone_answers)
    api.bind_card(state, answers=rebind_answers)

:class:`World` keeps the state and the world's arguments together, for scripts that make
many calls::

    world = api.World(api.in_memory(), scenario="frozen-card", seed=7)
    world.apply(answers=happy_path).record["reason"]    # 'card_frozen'

The read side: :func:`applicant` (a journey or flow record by A/F/L id), :func:`applicants`
and :func:`flows` (one masked line each), :func:`record_view`, :func:`timeline`,
:func:`explain`, :func:`loan` (a loan as it is today), :func:`calendar`,
:func:`sms_inbox`, :func:`state_info`; no world at all: :func:`quote` (the calculator), the
scenarios (:func:`scenarios`, :func:`scenario`, :func:`validate_scenario`) and
:func:`id_card`.

Support and QA worlds have their own module, :mod:`loancli.stories.tickets` (above this one:
stories call the api), which a command that needs none of it never loads: a record's ticket
report (``tickets.report``, also as one HTML page) and bundle (``tickets.bundle``), a bundle
replayed (``tickets.replay``, a typed ``Verdict``), the story of a record, the scenarios and
stories that match a borrower's words (``tickets.find``), generated borrowers and populated
worlds.

The account's own data (each makes the scenario's preset accounts first, so it lives in
:mod:`loancli.api.operations`): :func:`devices`, :func:`trust_device`, :func:`forget_device`,
:func:`set_two_step`, :func:`check_account`, :func:`cards`, :func:`contacts`; the state file
itself: :func:`convert_state`, :func:`prune_state`; and :func:`demo`.

A refusal is one of :mod:`loancli.errors` naming the *field* that is wrong (``phone``,
``month``, ``record``...), never a command-line option: the CLI maps fields to its options.

The operations' arguments (:class:`WorldArgs` for journeys and flows, :class:`WorldOptions` for
the one-unit commands) and results (:class:`RunResult`, :class:`ClockMove`, :class:`Repaid`,
:class:`Restructured`) are documented where they are defined, in :mod:`loancli.api.operations`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import TypedDict, Unpack

import msgspec

from loancli.account.accounts import checked_mobile, identity_of
from loancli.api.operations import (
    ACTIONS,
    Action,
    AddContact,
    AnyAction,
    Apply,
    BindCard,
    Cards,
    ChangePhone,
    Checkout,
    ClockMove,
    Contacts,
    CreditReport,
    Devices,
    Login,
    PaidView,
    RefusedView,
    RemoveContact,
    Repaid,
    Restructured,
    Resume,
    RunResult,
    StatePath,
    Step,
    UnbindCard,
    Unlock,
    UseCard,
    WorldOptions,
    add_contact,
    advance_clock,
    apply,
    bind_card,
    cards,
    change_phone,
    check_account,
    checkout,
    clock_now,
    contacts,
    convert_state,
    credit_report,
    demo,
    devices,
    forget_device,
    log_in,
    perform,
    prune_state,
    remove_contact,
    repay,
    restructure,
    resume,
    run_step,
    set_clock,
    set_two_step,
    trust_device,
    unbind_card,
    unlock,
    use_card,
    world_for,
)
from loancli.clock import DEFAULT_START
from loancli.dburl import ServerUrl
from loancli.errors import RuleError
from loancli.files import write_private
from loancli.i18n import _, language, set_language
from loancli.identity.card import CardSpec, card_fields
from loancli.identity.images import generate as draw_card
from loancli.journey.session import World as OpenWorld
from loancli.journey.session import WorldArgs
from loancli.loan import products
from loancli.loan.calendar import loan_ics, next_due_month, parse_month
from loancli.loan.loans import LineView, LoanView, find_loan, line_view, loan_view
from loancli.loan.schedule import Schedule
from loancli.loan.servicing import catch_up
from loancli.masking import mask_phone, mask_text, private_words
from loancli.records import APPLICANTS, FLOWS, Applicant, Flow
from loancli.store import (
    MemoryState,
    Store,
    empty_server,
    location_of,
    missing_state_file,
    state_absent,
    state_file_kind,
)
from loancli.store.admin import Info, Pruned
from loancli.store.admin import info as state_facts
from loancli.support import explain as explaining
from loancli.support import listing, reporting
from loancli.support.listing import RecordView
from loancli.world import scenario as scenario_files
from loancli.world.providers.sms import SmsService
from loancli.world.scenario import Scenario

__all__ = [
    "location_of",
    "state_file_kind",
    "ACTIONS",
    "Action",
    "AddContact",
    "AnyAction",
    "Apply",
    "BindCard",
    "Calendar",
    "CardSpec",
    "Cards",
    "ChangePhone",
    "Checkout",
    "ClockMove",
    "Contacts",
    "CreditReport",
    "Devices",
    "IdCard",
    "Inbox",
    "Info",
    "Login",
    "PaidView",
    "Pruned",
    "RecordView",
    "RefusedView",
    "RemoveContact",
    "Repaid",
    "Restructured",
    "Resume",
    "RunResult",
    "ScenarioFile",
    "ScenarioSummary",
    "Schedule",
    "StatePath",
    "Step",
    "UnbindCard",
    "UseCard",
    "Unlock",
    "World",
    "WorldArgs",
    "WorldOptions",
    "add_contact",
    "advance_clock",
    "applicant",
    "applicants",
    "apply",
    "bind_card",
    "calendar",
    "cards",
    "change_phone",
    "check_account",
    "checkout",
    "clock_now",
    "contacts",
    "convert_state",
    "credit_report",
    "demo",
    "devices",
    "explain",
    "flows",
    "forget_device",
    "id_card",
    "in_memory",
    "loan",
    "log_in",
    "perform",
    "prune_state",
    "quote",
    "record_view",
    "remove_contact",
    "repay",
    "restructure",
    "resume",
    "run_step",
    "scenario",
    "scenarios",
    "set_clock",
    "set_two_step",
    "sms_inbox",
    "state_info",
    "timeline",
    "trust_device",
    "unbind_card",
    "use_card",
    "unlock",
    "validate_scenario",
]


def in_memory() -> MemoryState:
    """A new, empty world held in memory (for a script, a story or a test): no file, no
    lock, gone with the process."""
    return MemoryState()


# -- the read side --------------------------------------------------------------------------
#
# Each reads a world without taking its lock or writing to it; the world's options (clock,
# scenario...) are those of the operations, so ``--clock`` moves "today" for a read too.


def _reading(state: StatePath, options: WorldOptions) -> AbstractContextManager[OpenWorld]:
    return world_for(state, options, read_only=True)


def applicant(
    state: StatePath, record_id: str, **options: Unpack[WorldOptions]
) -> Applicant | Flow:
    """The journey (``A0001``) or flow (``F0001``) record an id names; a loan id (``L0001``)
    names the record that made the loan. A refusal names ``record``."""
    with _reading(state, options) as world:
        return reporting.resolve(world.store, record_id)


def applicants(state: StatePath, **options: Unpack[WorldOptions]) -> list[listing.ApplicantRow]:
    """Every journey in the world, one masked line each (``applicants list``)."""
    with _reading(state, options) as world:
        return listing.applicant_rows(world.store)


def flows(state: StatePath, **options: Unpack[WorldOptions]) -> list[listing.FlowRow]:
    """Every flow in the world, one masked line each (``flows list``)."""
    with _reading(state, options) as world:
        return listing.flow_rows(world.store)


def applicants_page(
    state: StatePath, page: int | None = 1, **options: Unpack[WorldOptions]
) -> listing.Page:
    """Page ``page`` (from 1; None: every line) of ``applicants list``: 50 masked lines, read
    from only the fields they show, and how many there are in all."""
    _check_page(page)
    with _reading(state, options) as world:
        return listing.page_of(world.store, APPLICANTS, page)


def flows_page(
    state: StatePath, page: int | None = 1, **options: Unpack[WorldOptions]
) -> listing.Page:
    """Page ``page`` (from 1; None: every line) of ``flows list``, as :func:`applicants_page`."""
    _check_page(page)
    with _reading(state, options) as world:
        return listing.page_of(world.store, FLOWS, page)


def _check_page(page: int | None) -> None:
    if page is not None and page < 1:
        raise RuleError("page", _("pages are numbered from 1"))


def record_view(state: StatePath, record_id: str, **options: Unpack[WorldOptions]) -> RecordView:
    """A journey or flow as it is now: its outcome in plain words, its events and, for a
    journey, its newest loan today (``applicants show``, ``flows show``)."""
    with _reading(state, options) as world:
        return listing.record_view(world.store, record_id, world.clock.now().date())


class Timeline(list[reporting.TimelineRow]):
    """A journey's or flow's events and its loans', in simulated-time order; ``record_id``
    is the journey or flow they are of (``L0001`` names the one that made the loan)."""

    def __init__(self, record_id: str, rows: list[reporting.TimelineRow]) -> None:
        super().__init__(rows)
        self.record_id = record_id


class Explanation(dict[str, str]):
    """Why each decision went the way it did, a sentence per topic; ``record_id`` is the
    journey or flow explained (``L0001`` names the one that made the loan)."""

    def __init__(self, record_id: str, parts: dict[str, str]) -> None:
        super().__init__(parts)
        self.record_id = record_id


def timeline(state: StatePath, record_id: str, **options: Unpack[WorldOptions]) -> Timeline:
    """The events of a journey or flow and of its loans, in simulated-time order."""
    with _reading(state, options) as world:
        found = reporting.resolve(world.store, record_id)
        return Timeline(found["id"], reporting.timeline(world.store, found))


def explain(
    state: StatePath,
    record_id: str,
    *,
    topics: Collection[str] | None = None,
    **options: Unpack[WorldOptions],
) -> Explanation:
    """Why each decision went the way it did, a sentence with its figures per topic
    (``id_upload``, ``review``, ``due_date``, ``amount``...); only ``topics`` when given."""
    with _reading(state, options) as world:
        found = reporting.resolve(world.store, record_id)
        parts = explaining.explain_applicant(
            world.store, found, world.clock.now().date(), world.scenario.world
        )
    if topics is None:
        return Explanation(found["id"], parts)
    wanted = {t: sentence for t, sentence in parts.items() if t in topics}
    return Explanation(found["id"], wanted)


def loan(state: StatePath, loan_id: str, **options: Unpack[WorldOptions]) -> LoanView:
    """A loan as it is today: the current plan, each installment's status, penalty and what
    is owed (``L0001``, or the newest loan of ``A0001``/``F0001``)."""
    with _reading(state, options) as world:
        today: date = world.clock.now().date()
        return loan_view(find_loan(world.store, loan_id), today)


class Inbox(msgspec.Struct, frozen=True):
    """The messages a simulated phone has received by the simulated now, oldest first."""

    phone: str
    messages: list[dict[str, str]]


def sms_inbox(state: StatePath, phone: str, **options: Unpack[WorldOptions]) -> Inbox:
    """The SMS messages that reached ``phone`` (a refusal names ``phone``), each as
    ``at``, ``from`` and ``text``; the phone is masked, and so is what a text quotes of the
    borrower's own words (a checkout's item)."""
    number = checked_mobile(phone)
    with _reading(state, options) as world:
        service = SmsService(world.scenario.world.sms, world.store)
        arrived = service.inbox(number, world.clock.now())
        private = private_words({"identity": identity_of(world.store, number) or {}})
    messages = [
        {"at": m["arrives_at"], "from": m["sender"], "text": mask_text(m["text"], private)}
        for m in arrived
    ]
    return Inbox(mask_phone(number), messages)


class CalendarView(TypedDict):
    """``calendar --json``: the loan, the month shown, the ``.ics`` written, the installments."""

    loan: str
    month: str
    ics: str | None
    installments: list[LineView]
    refund_owed: str


class Calendar(msgspec.Struct, frozen=True):
    """A loan's repayment calendar: the month it shows, every installment as it is today,
    and the ``.ics`` file written, if any."""

    loan: str
    year: int
    month: int
    installments: list[LineView]
    ics: Path | None = None
    # What a lender's double debit took too much, owed back to the borrower.
    refund_owed: str = "0.00"
    # The events the .ics holds: an installment's each, and a replaced plan's cancelled.
    ics_events: int = 0

    def view(self) -> CalendarView:
        """The JSON document (``calendar --json``)."""
        return {
            "loan": self.loan,
            "month": f"{self.year}-{self.month:02d}",
            "ics": str(self.ics) if self.ics else None,
            "installments": self.installments,
            "refund_owed": self.refund_owed,
        }


def calendar(
    state: StatePath,
    loan_id: str | None = None,
    *,
    month: str | None = None,
    ics: str | os.PathLike[str] | None = None,
    **options: Unpack[WorldOptions],
) -> Calendar:
    """The repayment calendar of loan ``loan_id`` (``L0001``, the newest loan of ``A0001``,
    or the newest in the world): the ``month`` asked (``YYYY-MM``; a refusal names
    ``month``), else the next unpaid installment's. With ``ics``, also write an RFC 5545
    file there (0600) with reminders 3 days and 1 day before each due date."""
    shown = _month(month) if month else None
    with _reading(state, options) as world:
        found = find_loan(world.store, loan_id)
        catch_up(found, world.clock.now().date())
        stamp = world.clock.now()
    lines = found["lines"]
    year, mon = shown or next_due_month(lines)
    path = Path(ics) if ics is not None else None
    events = 0
    if path is not None:
        data = loan_ics(found, stamp)
        # The borrower's loan, amounts and dates: the owner's alone, as a report is.
        write_private(path, data)
        events = data.count(b"BEGIN:VEVENT")
    return Calendar(
        found["id"],
        year,
        mon,
        [line_view(x) for x in lines],
        path,
        refund_owed=found.get("refund_owed", "0.00"),
        ics_events=events,
    )


def _month(text: str) -> tuple[int, int]:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise RuleError("month", str(exc)) from None


def quote(
    product: str = "cash_loan",
    *,
    amount: str,
    term: int,
    loan_date: str,
    apr: str | None = None,
    method: str = "equal_installment",
    repayment_day: int | None = None,
    daily_rate: str | None = None,
    scenario: str | Scenario | None = None,
    fees: Mapping[str, str] | None = None,
    protection: bool = False,
) -> Schedule:
    """The repayment calculator, no world needed: ``product``'s schedule for these terms
    (the scenario's product settings when one is given), with ``fees`` (kind -> ``1000`` or
    ``1.5%``) replacing the product's of those kinds. A refusal is a ``RuleError`` naming
    the field (product, amount, term, method, apr, daily_rate, repayment_day, loan_date,
    fee)."""
    loaded = scenario if isinstance(scenario, Scenario) else scenario_files.load_scenario(scenario)
    overrides = loaded.world.products if scenario else None
    return products.quote(
        products.load_products(overrides=overrides),
        product,
        amount=amount,
        term=term,
        apr=apr,
        method=method,
        loan_date=loan_date,
        repayment_day=repayment_day,
        daily_rate=daily_rate,
        fees=fees,
        protection=protection,
    )


def state_info(state: StatePath) -> Info:
    """The backend, size on disk and record counts of a state file (read, never locked); a
    file that does not exist is refused naming ``db``."""
    path = location_of(state)
    if isinstance(path, Path) and state_absent(path):
        raise missing_state_file(path)
    with Store(path, read_only=True) as store:
        if isinstance(path, ServerUrl) and store.database_schema == 0:
            raise empty_server(path)
        return state_facts(store)


# -- scenarios ------------------------------------------------------------------------------


class ScenarioSummary(msgspec.Struct, frozen=True):
    """A built-in scenario on one line: the command it is for, what it shows, and the
    reason (or status) it is expected to end with."""

    name: str
    command: str
    description: str
    expect: str | None


def scenarios() -> list[ScenarioSummary]:
    """Every built-in scenario, by name."""
    out = []
    for name in scenario_files.builtin_names():
        found = scenario_files.load_scenario(name)
        out.append(
            ScenarioSummary(
                name,
                " ".join(scenario_files.command_words(found)),
                _(found.description),
                found.expect.get("reason") or found.expect.get("status"),
            )
        )
    return out


class ScenarioFile(msgspec.Struct, frozen=True):
    """A scenario's file as written, and what it is expected to produce."""

    name: str
    description: str
    expect: dict[str, str]
    source: str
    text: str


def scenario(name_or_path: str) -> ScenarioFile:
    """A built-in scenario by name, or a scenario file by path, with its text (a refusal
    names ``scenario``)."""
    if not name_or_path.strip():
        raise RuleError("scenario", _("give a built-in scenario's name or a YAML file"))
    found = scenario_files.load_scenario(name_or_path)
    text = Path(found.source).read_text(encoding="utf-8")
    return ScenarioFile(found.name, found.description, found.expect, found.source, text)


def validate_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file as a run would: every unknown key and wrong type is named with
    its key path (``ScenarioInvalid``, naming ``scenario``)."""
    return scenario_files.parse_scenario_file(Path(path))


# -- ID card images -------------------------------------------------------------------------


class IdCard(msgspec.Struct, frozen=True):
    """A generated ID card: its number and the two images written."""

    number: str
    front: Path
    back: Path

    @property
    def area(self) -> str:
        return self.number[:6]


def id_card(
    spec: CardSpec,
    out: str | os.PathLike[str] = ".",
    *,
    stem: str = "id",
    blurry: bool = False,
    low_resolution: bool = False,
    face_seed: int = 0,
) -> IdCard:
    """Draw the card ``spec`` asks for (issued a year before the simulated clock's default
    start unless it says otherwise) into ``out`` as ``STEM-front.png`` and ``STEM-back.png``
    (0600); a refusal is a ``RuleError`` naming the card field."""
    fields = card_fields(spec, DEFAULT_START.date())
    front, back = draw_card(
        fields,
        Path(out),
        stem=stem,
        blurry=blurry,
        low_resolution=low_resolution,
        face_seed=face_seed,
    )
    return IdCard(fields.number, front, back)


# -- a world kept together --------------------------------------------------------------------


class World:
    """A state (file or memory) with the arguments every call in it shares: scenario, seed,
    clock, language, lock timeout... A call's own keywords win over them."""

    def __init__(
        self,
        state: StatePath | MemoryState = None,
        *,
        lang: str | None = None,
        **defaults: Unpack[WorldArgs],
    ) -> None:
        self.state = state
        self.lang = lang
        self.defaults = defaults

    @contextmanager
    def _speaking(self) -> Iterator[None]:
        before = language()
        if self.lang:
            set_language(self.lang)
        try:
            yield
        finally:
            set_language(before)

    def _args(self, given: WorldArgs) -> WorldArgs:
        merged: WorldArgs = {**self.defaults, **given}
        return merged

    def _options(self, given: WorldOptions) -> WorldOptions:
        keys = ("clock", "scenario", "lock_timeout", "on_wait", "command", "on_notice")
        options: WorldOptions = {k: v for k, v in self.defaults.items() if k in keys}  # type: ignore[assignment]
        options.update(given)
        return options

    def apply(self, **run: Unpack[WorldArgs]) -> RunResult:
        with self._speaking():
            return apply(self.state, **self._args(run))

    def resume(self, applicant: str, **run: Unpack[WorldArgs]) -> RunResult:
        with self._speaking():
            return resume(self.state, applicant, **self._args(run))

    def perform(self, what: Action, **run: Unpack[WorldArgs]) -> RunResult:
        with self._speaking():
            return perform(self.state, what, **self._args(run))

    def change_phone(self, **run: Unpack[WorldArgs]) -> RunResult:
        with self._speaking():
            return change_phone(self.state, **self._args(run))

    def bind_card(self, **run: Unpack[WorldArgs]) -> RunResult:
        with self._speaking():
            return bind_card(self.state, **self._args(run))

    def checkout(
        self, item: str, price: str, periods: int = 12, **run: Unpack[WorldArgs]
    ) -> RunResult:
        with self._speaking():
            return checkout(self.state, item, price, periods, **self._args(run))

    def advance_clock(self, by: str, **options: Unpack[WorldOptions]) -> ClockMove:
        with self._speaking():
            return advance_clock(self.state, by, **self._options(options))

    def set_clock(self, to: str, **options: Unpack[WorldOptions]) -> ClockMove:
        with self._speaking():
            return set_clock(self.state, to, **self._options(options))

    def repay(
        self,
        loan_id: str,
        *,
        installment: int | None = None,
        amount: str | None = None,
        settle: bool = False,
        **options: Unpack[WorldOptions],
    ) -> Repaid:
        with self._speaking():
            return repay(
                self.state,
                loan_id,
                installment=installment,
                amount=amount,
                settle=settle,
                **self._options(options),
            )

    def restructure(self, loan_id: str, term: int, **options: Unpack[WorldOptions]) -> Restructured:
        with self._speaking():
            return restructure(self.state, loan_id, term, **self._options(options))

    def loan(self, loan_id: str) -> LoanView:
        return loan(self.state, loan_id)

    def applicant(self, record_id: str) -> Applicant | Flow:
        return applicant(self.state, record_id)
