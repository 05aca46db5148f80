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
:func:`explain`, :func:`report` (and :func:`report_html`, the report as one HTML page),
:func:`loan` (a loan as it is today), :func:`calendar`,
:func:`sms_inbox`, :func:`state_info`; no world at all: :func:`quote` (the calculator), the
scenarios (:func:`scenarios`, :func:`scenario`, :func:`validate_scenario`,
:func:`find`) and :func:`id_card`. A record's ticket bundle: :func:`bundle` (or
:func:`report` with ``bundle=``); replaying one: :func:`replay` (a typed :class:`Verdict`).

The account's own data (each makes the scenario's preset accounts first, so it lives in
:mod:`loancli.operations`): :func:`devices`, :func:`trust_device`, :func:`forget_device`,
:func:`set_two_step`, :func:`check_account`, :func:`cards`, :func:`contacts`; the state file
itself: :func:`convert_state`, :func:`prune_state`; and :func:`demo`.

A refusal is one of :mod:`loancli.errors` naming the *field* that is wrong (``phone``,
``month``, ``record``...), never a command-line option: the CLI maps fields to its options.

The operations' arguments (:class:`WorldArgs` for journeys and flows, :class:`WorldOptions` for
the one-unit commands) and results (:class:`RunResult`, :class:`ClockMove`, :class:`Repaid`,
:class:`Restructured`) are documented where they are defined, in :mod:`loancli.operations`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypedDict, Unpack, cast

from loancli.account.accounts import checked_mobile
from loancli.clock import DEFAULT_START, parse_clock
from loancli.dburl import ServerUrl
from loancli.errors import RuleError
from loancli.files import write_private
from loancli.i18n import _, language, set_language
from loancli.identity.areas import address_prefixes
from loancli.identity.card import CardSpec, card_fields
from loancli.identity.images import generate as draw_card
from loancli.identity.persona import Persona, age_band, make_persona
from loancli.journey.session import World as OpenWorld
from loancli.journey.session import WorldArgs
from loancli.loan import products
from loancli.loan.calendar import next_due_month, parse_month, to_ics
from loancli.loan.loans import LineView, LoanView, find_loan, line_view, loan_view
from loancli.loan.schedule import Schedule
from loancli.loan.servicing import catch_up
from loancli.masking import mask_phone
from loancli.operations import (
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
    RemoveContact,
    Repaid,
    Restructured,
    Resume,
    RunResult,
    StatePath,
    Step,
    UnbindCard,
    Unlock,
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
    world_for,
)
from loancli.records import APPLICANTS, FLOWS, Applicant, Flow
from loancli.store import MemoryState, Store, empty_server, location_of, missing_state_file
from loancli.store.admin import Info, Pruned
from loancli.store.admin import info as state_facts
from loancli.stories import finding
from loancli.stories.finding import Found, FoundJson
from loancli.stories.from_record import story_text
from loancli.stories.personas import PersonaFiles, write_persona
from loancli.stories.populate import Populated, parse_mix
from loancli.stories.populate import Progress as PopulateProgress
from loancli.stories.populate import populate as fill_world
from loancli.stories.ticket import Bundle, Verdict, build_bundle, read_bundle, write_bundle
from loancli.stories.ticket import replay as replay_bundle
from loancli.support import explain as explaining
from loancli.support import html_report, listing, reporting
from loancli.support.listing import RecordView
from loancli.world import scenario as scenario_files
from loancli.world.providers.sms import SmsService
from loancli.world.scenario import Scenario

__all__ = [
    "Persona",
    "PersonaFiles",
    "PopulateProgress",
    "Populated",
    "new_persona",
    "persona_place",
    "populate",
    "ACTIONS",
    "Action",
    "AddContact",
    "AnyAction",
    "Apply",
    "BindCard",
    "Bundle",
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
    "Pruned",
    "RecordView",
    "RemoveContact",
    "Repaid",
    "Report",
    "Restructured",
    "Resume",
    "RunResult",
    "ScenarioFile",
    "Found",
    "ScenarioSummary",
    "Schedule",
    "StatePath",
    "Step",
    "UnbindCard",
    "Unlock",
    "Verdict",
    "World",
    "WorldArgs",
    "WorldOptions",
    "add_contact",
    "advance_clock",
    "applicant",
    "applicants",
    "apply",
    "bind_card",
    "bundle",
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
    "find",
    "found_json",
    "found_why",
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
    "replay",
    "report",
    "report_html",
    "restructure",
    "resume",
    "run_step",
    "scenario",
    "scenarios",
    "set_clock",
    "set_two_step",
    "sms_inbox",
    "state_info",
    "story_of_record",
    "timeline",
    "trust_device",
    "unbind_card",
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


def timeline(
    state: StatePath, record_id: str, **options: Unpack[WorldOptions]
) -> list[reporting.TimelineRow]:
    """The events of a journey or flow and of its loans, in simulated-time order."""
    with _reading(state, options) as world:
        return reporting.timeline(world.store, record_id)


def explain(
    state: StatePath,
    record_id: str,
    *,
    topics: Collection[str] | None = None,
    **options: Unpack[WorldOptions],
) -> dict[str, str]:
    """Why each decision went the way it did, a sentence with its figures per topic
    (``id_upload``, ``review``, ``due_date``, ``amount``...); only ``topics`` when given."""
    with _reading(state, options) as world:
        parts = explaining.explain_applicant(world.store, record_id, world.clock.now().date())
    if topics is None:
        return parts
    return {topic: sentence for topic, sentence in parts.items() if topic in topics}


@dataclass(frozen=True)
class Report:
    """A ticket-ready report of a journey or flow (masked), and the bundle written with it."""

    data: reporting.Report
    bundle: Bundle | None = None
    html: Path | None = None

    def markdown(self) -> str:
        """The report as a ticket shows it."""
        return reporting.to_markdown(self.data)


def report(
    state: StatePath,
    record_id: str,
    *,
    bundle: str | os.PathLike[str] | None = None,
    keep_personal_data: bool = False,
    html: str | os.PathLike[str] | None = None,
    **options: Unpack[WorldOptions],
) -> Report:
    """The ticket report of a journey or flow (``report --format json`` is its data); with
    ``bundle``, also write its ticket bundle there (0600), pseudonymised unless
    ``keep_personal_data``, which the report's Reproduce section names; with ``html``, also
    write the report as one self-contained page there (0600; :func:`report_html`)."""
    path = Path(bundle) if bundle is not None else None
    page = Path(html) if html is not None else None
    made = None
    with _reading(state, options) as world:
        data = reporting.report(world.store, record_id, path.name if path else None)
        text = (
            html_report.page(
                world.store,
                data["id"],
                world.clock.now().date(),
                keep_personal_data=keep_personal_data,
            )
            if page is not None
            else None
        )
        if path is not None:
            made = build_bundle(
                world.store, data["id"], reporting.to_markdown(data), data, keep_personal_data
            )
    if path is not None and made is not None:
        write_bundle(path, made)
    if page is not None and text is not None:
        # The borrower's journey and loan: the owner's alone, as the bundle is.
        write_private(page, text)
    return Report(data, made, page)


def report_html(
    state: StatePath,
    record_id: str,
    *,
    keep_personal_data: bool = False,
    **options: Unpack[WorldOptions],
) -> str:
    """The report of a journey, flow or loan's journey as one self-contained HTML page (no
    script, nothing loaded from anywhere): the situation, what to tell the borrower in both
    languages, the timeline, each loan's schedule with a chart of principal, interest and
    penalty per installment, the month calendar and the ID images, masked unless
    ``keep_personal_data``. Headings are in the current language."""
    with _reading(state, options) as world:
        return html_report.page(
            world.store, record_id, world.clock.now().date(), keep_personal_data=keep_personal_data
        )


def loan(state: StatePath, loan_id: str, **options: Unpack[WorldOptions]) -> LoanView:
    """A loan as it is today: the current plan, each installment's status, penalty and what
    is owed (``L0001``, or the newest loan of ``A0001``/``F0001``)."""
    with _reading(state, options) as world:
        today: date = world.clock.now().date()
        return loan_view(find_loan(world.store, loan_id), today)


def bundle(
    state: StatePath,
    record_id: str,
    path: str | Path,
    *,
    keep_personal_data: bool = False,
) -> Bundle:
    """Write the ticket bundle of a journey or flow to ``path`` (0600), pseudonymised unless
    ``keep_personal_data``; returns it."""
    done = report(state, record_id, bundle=path, keep_personal_data=keep_personal_data)
    return cast(Bundle, done.bundle)


def story_of_record(
    state: StatePath | MemoryState, record_id: str, out: str | Path | None = None
) -> str:
    """The story of a journey or flow as it happened (its runs, then its loans' clock moves,
    repayments and re-instalments), expecting what it holds now, as YAML. Uploaded images
    that are not built in are copied beside ``out`` (the file the story will be written to)."""
    folder = Path(out).parent if out is not None else None
    with world_for(state, {}, read_only=True) as world:
        return story_text(world.store, record_id, folder)


def replay(path: str | Path, state: str | Path | ServerUrl | MemoryState | None = None) -> Verdict:
    """Replay a ticket bundle in a fresh world (``state``, new; else a temporary one) and
    compare: the :class:`Verdict` says reproduced, or the first event that differs."""
    world = location_of(state) if state is not None else None
    return replay_bundle(read_bundle(Path(path)), world, where=str(path))


@dataclass(frozen=True)
class Inbox:
    """The messages a simulated phone has received by the simulated now, oldest first."""

    phone: str
    messages: list[dict[str, str]]


def sms_inbox(state: StatePath, phone: str, **options: Unpack[WorldOptions]) -> Inbox:
    """The SMS messages that reached ``phone`` (a refusal names ``phone``), each as
    ``at``, ``from`` and ``text``; the phone is masked."""
    number = checked_mobile(phone)
    with _reading(state, options) as world:
        service = SmsService(world.scenario.world.sms, world.store)
        arrived = service.inbox(number, world.clock.now())
    messages = [{"at": m["arrives_at"], "from": m["sender"], "text": m["text"]} for m in arrived]
    return Inbox(mask_phone(number), messages)


class CalendarView(TypedDict):
    """``calendar --json``: the loan, the month shown, the ``.ics`` written, the installments."""

    loan: str
    month: str
    ics: str | None
    installments: list[LineView]
    refund_owed: str


@dataclass(frozen=True)
class Calendar:
    """A loan's repayment calendar: the month it shows, every installment as it is today,
    and the ``.ics`` file written, if any."""

    loan: str
    year: int
    month: int
    installments: list[LineView]
    ics: Path | None = None
    # What a lender's double debit took too much, owed back to the borrower.
    refund_owed: str = "0.00"

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
    if path is not None:
        # The borrower's loan, amounts and dates: the owner's alone, as a report is.
        write_private(path, to_ics(found["id"], lines, stamp))
    return Calendar(
        found["id"],
        year,
        mon,
        [line_view(x) for x in lines],
        path,
        refund_owed=found.get("refund_owed", "0.00"),
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
    if isinstance(path, Path) and not path.exists():
        raise missing_state_file(path)
    with Store(path, read_only=True) as store:
        if isinstance(path, ServerUrl) and store.database_schema == 0:
            raise empty_server(path)
        return state_facts(store)


# -- scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioSummary:
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


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario's file as written, and what it is expected to produce."""

    name: str
    description: str
    expect: dict[str, str]
    source: str
    text: str


def scenario(name_or_path: str) -> ScenarioFile:
    """A built-in scenario by name, or a scenario file by path, with its text (a refusal
    names ``scenario``)."""
    found = scenario_files.load_scenario(name_or_path)
    text = Path(found.source).read_text(encoding="utf-8")
    return ScenarioFile(found.name, found.description, found.expect, found.source, text)


def validate_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file as a run would: every unknown key and wrong type is named with
    its key path (``ScenarioInvalid``, naming ``scenario``)."""
    return scenario_files.parse_scenario_file(Path(path))


def find(words: str) -> list[Found]:
    """The built-in scenarios and stories that best match a complaint as a borrower says it
    (钱没到账, code expired), a name, a reason code or a step: the best five, best first, each
    with the command that reproduces it from any folder."""
    return finding.find(words)


def found_json(found: Found) -> FoundJson:
    """A found scenario or story as ``--json`` gives it: name, kind, reason, score, command."""
    return finding.as_json(found)


def found_why(found: Found) -> str:
    """What in a found scenario or story matched the words, in the current language."""
    return finding.why(found)


# -- generated borrowers ---------------------------------------------------------------------


def new_persona(
    *,
    seed: int = 0,
    age: str | None = None,
    sex: str | None = None,
    province: str | None = None,
    bank: str | None = None,
    clock: str | None = None,
    out: Path | None = None,
) -> tuple[Persona, PersonaFiles | None]:
    """A generated borrower whose traits agree (ID number, card, phone, contacts), aged on
    ``clock``'s date (the default start without one); with ``out``, its answers file and ID
    card images written into that folder (0600). Refusals name ``age``, ``sex``, ``province``,
    ``bank``, ``clock`` or ``out``."""
    try:
        today = parse_clock(clock).date() if clock else DEFAULT_START.date()
    except ValueError as exc:
        raise RuleError("clock", str(exc)) from None
    persona = make_persona(
        seed,
        age=age_band(age) if age is not None else None,
        sex=sex,
        province=province,
        bank=bank,
        today=today,
    )
    if out is not None and out.exists() and not out.is_dir():
        raise RuleError("out", _("{path} is a file; give a directory").format(path=out))
    return persona, (write_persona(persona, out) if out is not None else None)


def persona_place(persona: Persona) -> str:
    """The part of a persona's address its ID number's area code names (广东省深圳市南山区)."""
    prefix = address_prefixes().get(persona.area, "")
    return persona.address[: persona.address.find(prefix) + len(prefix)] if prefix else ""


def populate(
    state: StatePath,
    count: int,
    *,
    seed: int = 0,
    mix: str | None = None,
    months: int = 12,
    clock: str | None = None,
    scenario: str | None = None,
    images: Path | None = None,
    jobs: int = 1,
    on_progress: PopulateProgress | None = None,
) -> Populated:
    """Fill the world of ``state`` with ``count`` generated borrowers through real journeys
    (see :func:`loancli.stories.populate.populate`); ``mix`` is read as ``KIND=WEIGHT,...``.
    A world's ``scenario`` is refused: populate runs its own mix of built-in scenarios."""
    if scenario:
        raise RuleError(
            "scenario", _("populate runs its own mix of built-in scenarios; leave out --scenario")
        )
    if images is not None:
        images.mkdir(parents=True, exist_ok=True)
    return fill_world(
        state,
        count,
        seed=seed,
        mix=parse_mix(mix) if mix is not None else None,
        months=months,
        clock=clock,
        images=images,
        jobs=jobs,
        on_progress=on_progress,
    )


# -- ID card images -------------------------------------------------------------------------


@dataclass(frozen=True)
class IdCard:
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
