"""The Python API: open a world and run the journey or a flow in it, from plain arguments.

The CLI maps its switches onto these functions, and tests and scripts call them directly::

    from loancli.journey.session import run_journey

    outcome = run_journey("state.json", seed=7, scenario="frozen-card", answers=answers)
    assert outcome.record["reason"] == "card_frozen"

A world is a state file (locked for the command), its simulated clock, and a scenario (how the
outside parties behave). Answers come from ``sets`` (``KEY=VALUE`` items, as ``--set``), then
the scenario's borrower answers, then ``answers`` (a mapping, or the path of a YAML answers
file), then the ``prompter`` (a person), then each question's default.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TypedDict, TypeVar, Unpack

import msgspec

from loancli.account.hashing import HASH_GRADES, HashGrade, stand_in
from loancli.asking import (
    AnswerSource,
    Asker,
    Prompter,
    answers_ref,
    load_answers_file,
    parse_set_options,
    yaml_text,
)
from loancli.clock import (
    DEFAULT_START,
    LATEST_CLOCK,
    Rng,
    SimClock,
    parse_clock,
    parse_datetime,
)
from loancli.dburl import ServerUrl
from loancli.errors import RuleError, StateCorrupt, StateError, UsageError
from loancli.i18n import _, language
from loancli.journey.core import SERVICED_ON_KEY, ApplicantRecord, Journey, RunInfo, save_clock
from loancli.journey.flows import replayable
from loancli.journey.reminders import advance_loans
from loancli.journey.runner import (
    JourneyResult,
    result_of,
    resume_journey,
    run_one_step,
    start_journey,
)
from loancli.loan.loans import ClockEvent
from loancli.masking import mask_phone
from loancli.questions import QUESTIONS, path_answer
from loancli.records import Loan, RunAction
from loancli.store import (
    DEFAULT_LOCK_TIMEOUT,
    MemoryState,
    Store,
    empty_server,
    gc_paused,
    location_of,
    missing_state_file,
    state_absent,
)
from loancli.store.admin import HASHING_KEY
from loancli.store.base import ADVICE
from loancli.validation import file_kind
from loancli.world.presets import seed_accounts
from loancli.world.providers.sms import SmsService
from loancli.world.scenario import (
    Scenario,
    check_command,
    load_scenario,
    scenario_data,
    scenario_for,
)

# The record a run leaves: an applicant's journey, or a flow's record.
RecordT = TypeVar("RecordT")
# Answers given as data (a mapping of answer key to raw answer, before any question parses
# it), or the path of a YAML answers file.
Answers = Mapping[str, object] | str | os.PathLike[str]


class World(msgspec.Struct):
    """An open state file with its simulated clock and the scenario in force."""

    store: Store
    clock: SimClock
    scenario: Scenario


@contextlib.contextmanager
def open_world(
    state: str | os.PathLike[str] | ServerUrl | MemoryState | None,
    *,
    clock: str | datetime | None = None,
    scenario: str | Scenario | None = None,
    with_accounts: bool = False,
    read_only: bool = False,
    unit: bool = False,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    command: str = "",
    hashing: HashGrade | None = None,
    on_notice: Callable[[str], None] | None = None,
    whole_world: bool = False,
) -> Iterator[World]:
    """Open the state file, its simulated clock and the scenario, for one command.

    A writer takes the file's lock for each unit it commits, never while a person answers a
    prompt (waiting up to ``lock_timeout`` seconds, telling ``on_wait`` once; ``command`` names
    this process to a writer that waits for it); a reader (``read_only``) takes no lock and
    never writes. The clock is written back when the block ends, so time moved by the command
    persists (unless another command moved the file's clock further meanwhile). A new state
    file starts at ``clock``, else the scenario's clock, else the default start; a ``clock``
    earlier than the file's is refused, as ``clock set`` refuses it. ``with_accounts`` first
    creates the accounts the scenario says already exist. Only the default location's
    directory is created; a ``state`` in a missing directory is refused.

    With ``unit`` the whole block, the clock included, is one commit unit (``clock advance``,
    ``repay``): written once at its end, or not at all when it raises.

    ``hashing`` chooses how a new state file hashes passwords (:func:`file_grade`); a file
    keeps the grade it was made with. ``whole_world`` says the unit moves the clock
    (``Store.transaction``): on a shared server it runs alone.
    """
    loaded = scenario_for(
        state, scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    )
    start = _start(clock)
    where = location_of(state)
    if read_only and isinstance(where, Path) and state_absent(where):
        # A command that reads a file that is not there: most often a mistyped --db, which
        # must not read as an empty world ("No applicants yet").
        raise missing_state_file(where)
    with Store(
        where,
        DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout,
        read_only=read_only,
        create_dirs=state is None,
        on_wait=on_wait,
        command=command,
        on_notice=on_notice,
    ) as store:
        if read_only and isinstance(where, ServerUrl) and store.database_schema == 0:
            raise empty_server(where)
        if not isinstance(where, MemoryState):
            grade = file_grade(store, hashing or loaded.world.hashing)
            loaded = scenario_with_grade(loaded, grade)
        elif hashing is not None:
            # A world in memory hashes cheaply unless asked (populate making a new file a
            # person chose OWASP's grade for).
            loaded = scenario_with_grade(loaded, hashing)
        # A unit brings the world's loans to its clock's day first when they are behind it (a
        # clock pass, below): its --clock moved it on, or a run's own time crossed midnight.
        # On a shared server the pass runs alone, so whether it will is looked at before the
        # unit begins (a unit within the day never waits for the world lock).
        # (A clock move, ``whole_world``, is a pass of its own: what it brings the loans
        # through is what it reports.)
        catches_up = unit and not whole_world
        if catches_up and isinstance(where, ServerUrl):
            whole_world = _behind(store, _clock_day(store, start))
        # In a unit the clock is read inside it: under the lock (files) or the world lock
        # (PostgreSQL), so a clock another command moves meanwhile is never moved from the
        # time it was before.
        with store.transaction(whole_world=whole_world) if unit else contextlib.nullcontext():
            stored = store.meta_get("clock")
            sim = SimClock(_kept_clock(store, stored) if stored else loaded.clock or DEFAULT_START)
            if start is not None:
                if not stored:
                    sim = SimClock(start)
                sim.set(start)
            if catches_up:
                catch_up(World(store, sim, loaded))
            if with_accounts:
                seed_accounts(store, loaded.accounts, sim.isoformat(), loaded.world)
            refused = False
            try:
                yield World(store, sim, loaded)
            except UsageError:
                # Refused input changes nothing; a step that ran wrote its clock with it.
                refused = True
                raise
            finally:
                if not read_only and not refused:
                    save_clock(store, sim)


def _kept_clock(store: Store, stored: str) -> datetime:
    """The clock the state file keeps, within the simulated clock's years: one past them,
    edited by hand, was blamed on a --clock nobody gave (found by a hostile-input hunt)."""
    kept = parse_datetime(stored)
    if kept > LATEST_CLOCK:
        raise StateCorrupt(
            _(
                "state file {path}: its clock (meta clock) is {kept}, past {latest}; {ADVICE}"
            ).format(
                path=store.path,
                kept=stored,
                latest=LATEST_CLOCK.date().isoformat(),
                ADVICE=_(ADVICE),
            )
        )
    return kept


def serviced_on(store: Store) -> date | None:
    """The day the world's loans were last brought to by a clock pass: the one kept, else
    (a file from before it was kept, or one edited to hold no ``YYYY-MM-DD``) the day of its
    clock; never later than that day (a day kept past the clock, edited by hand, would
    otherwise turn every pass off); None for a new world."""
    day = _stored_day(store)
    kept = store.meta_get(SERVICED_ON_KEY)
    if isinstance(kept, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", kept):
        with contextlib.suppress(ValueError):
            kept_day = date.fromisoformat(kept)
            return kept_day if day is None else min(kept_day, day)
    return day


def _stored_day(store: Store) -> date | None:
    """The Beijing day of the world's stored clock; None for a new world."""
    stored = store.meta_get("clock")
    return SimClock(parse_datetime(stored)).now().date() if isinstance(stored, str) else None


def _behind(store: Store, day: date | None) -> bool:
    serviced = serviced_on(store)
    return serviced is not None and day is not None and serviced < day


def _clock_day(store: Store, start: datetime | None) -> date | None:
    """The day a command's world will be at: its ``--clock``'s, else the stored clock's."""
    return SimClock(start).now().date() if start is not None else _stored_day(store)


def bring_loans(world: World) -> list[ClockEvent]:
    """The clock pass: every loan brought to the world's now (falling due, debits, overdue,
    penalty, reminders, notices and credit reports on the way); the events."""
    note_clock_world(world)
    sms = SmsService(world.scenario.world.sms, world.store)
    today = world.clock.now().date()
    serviced = serviced_on(world.store)
    events = advance_loans(world.store, sms, today, world.clock.isoformat(), world.scenario.world)
    if serviced != today:  # a move within the day writes nothing (a file is not rewritten)
        world.store.meta_set(SERVICED_ON_KEY, today.isoformat())
    return events


def catch_up(world: World) -> None:
    """A writer whose clock is on a later day than the one the loans were last brought to
    (its ``--clock`` moved it on, or a run's own time crossed midnight) brings the world
    there first, as ``clock set`` does, and then acts: whichever command moved the clock, a
    reminder due that day goes to the number the account had then, a default is reported
    before a repayment, and a ticket's story (its clock moved before each act) makes the
    same world. The pass and the clock it reached are one unit, or part of the command's:
    refused, nothing is written (:func:`open_journey`). Within the day, it does nothing (the
    pass goes by days)."""
    if not _behind(world.store, world.clock.now().date()):
        return
    with gc_paused(), world.store.transaction(whole_world=True):
        bring_loans(world)
        save_clock(world.store, world.clock)


def file_grade(store: Store, chosen: HashGrade) -> HashGrade:
    """The grade the state file open in ``store`` hashes passwords at: the one it recorded
    when it was made; ``chosen`` for a new file (recorded with its first write, so every
    later command on it keeps it); OWASP's argon2id for a file made before grades were
    recorded. A cheap grade is only ever chosen for a new file (a throwaway QA world), never
    for a file that already holds someone's accounts."""
    recorded = store.meta_get(HASHING_KEY)
    if recorded in HASH_GRADES:
        return recorded  # type: ignore[no-any-return]
    if store.unstamped:
        store.stamp[HASHING_KEY] = chosen
        return chosen
    return "argon2id"


def scenario_with_grade(scenario: Scenario, grade: HashGrade) -> Scenario:
    """``scenario`` hashing at ``grade`` (the caller's scenario is left as it was)."""
    if scenario.world.hashing == grade:
        return scenario
    world = dataclasses.replace(scenario.world, hashing=grade)
    return dataclasses.replace(scenario, world=world)


def _start(clock: str | datetime | None) -> datetime | None:
    if clock is None or isinstance(clock, datetime):
        return clock
    try:
        return parse_clock(clock)
    except ValueError as exc:
        raise RuleError("clock", str(exc)) from None


@contextlib.contextmanager
def open_journey(
    state: str | os.PathLike[str] | ServerUrl | MemoryState | None,
    *,
    command: str = "apply",
    seed: int = 0,
    clock: str | datetime | None = None,
    scenario: str | Scenario | None = None,
    answers: Answers | None = None,
    sets: Sequence[str] = (),
    prompter: Prompter | None = None,
    on_close: Callable[[Asker], None] | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    action: RunAction | None = None,
    hashing: HashGrade | None = None,
    on_notice: Callable[[str], None] | None = None,
    draws: str | None = None,
    interrupted: bool = False,
    given: Mapping[str, object] | None = None,
    replayed: bool = False,
) -> Iterator[Journey]:
    """A world plus everything a question-asking command needs, as a :class:`Journey`.

    ``on_close`` is called with the asker when the block ends, whatever the outcome (the CLI
    writes its ``--record`` file there). A run no person answers is one commit unit
    (:func:`_scripted_unit`); a clock on a later day than the one the world's loans were
    brought to moves them there first (:func:`catch_up`).
    """
    asker: Asker | None = None
    try:
        # Every answer that can be checked without the journey is checked before the state
        # file is opened: a refused one leaves it as it was (or not created).
        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        check_command(loaded, command)
        asker = Asker(_sources(loaded, answers, sets, given), prompter)
        asker.defaults = not interrupted
        asker.precheck()
        if on_notice is not None and command == "apply":
            _say_preset_unused(loaded, asker, on_notice)
        with open_world(
            state,
            clock=clock,
            scenario=loaded,
            with_accounts=True,
            lock_timeout=lock_timeout,
            on_wait=on_wait,
            command=f"loancli {command}",
            hashing=hashing,
            on_notice=on_notice,
        ) as world:
            asker.waiting = world.store.waiting
            asker.started_at = world.clock.isoformat()
            run: RunInfo = {
                "command": command,
                "clock": world.clock.isoformat(),
                "seed": seed,
                "scenario": _scenario_ref(scenario),
                "answers": _answers_ref(answers),
                "set": [_kept_set_item(item) for item in sets],
                # What a ticket bundle needs to replay this run anywhere: the action (its
                # kind and its own fields, never command-line words), a scenario file's body,
                # and (filled in step by step) the answers.
                "action": action.copy() if action else {"action": "apply"},
                # The sentences the events record are in this language; a replay speaks it.
                "lang": language(),
                "scenario_text": _scenario_text(loaded),
                "given": {},
            }
            if draws is not None:
                run["draws"] = draws
            journey = Journey(
                world.store,
                world.clock,
                Rng(seed),
                asker,
                world.scenario.world,
                run=run,
                cut_short=interrupted,
                replayed=replayed,
            )
            with _scripted_unit(journey):
                _catching_up(world, journey)
                try:
                    yield journey
                finally:
                    world.store.before_first_unit(None)
    finally:
        if on_close is not None and asker is not None:
            on_close(asker)


def _say_preset_unused(scenario: Scenario, asker: Asker, on_notice: Callable[[str], None]) -> None:
    """Said once, before the journey: a scenario that presets accounts (locked, on a new
    device, frozen...) reaches only the borrowers on those numbers; one who logs in on
    another went through untouched, and support concluded "cannot reproduce" (found by a
    support walk)."""
    phone = asker.peek("phone") if scenario.accounts else None
    preset = [account.phone for account in scenario.accounts]
    if isinstance(phone, str) and phone not in preset:
        on_notice(
            _(
                "scenario {name} presets the account of {preset}; this borrower logs in as "
                "{phone}, whom its account settings do not reach: to play them, apply with the "
                "number it presets (loancli scenario show {name})"
            ).format(
                # A file is shown by its path; a built-in by its name.
                name=scenario.name if scenario.builtin else scenario.source,
                preset=", ".join(mask_phone(p) for p in preset),
                phone=mask_phone(phone),
            )
        )


def _catching_up(world: World, journey: Journey) -> None:
    """A run's clock pass, when the world's loans are behind its clock's day: within a
    script's one unit (a file), so that a run refused before its first step writes nothing;
    with the first step's unit on a server, where each step commits alone, for the same
    reason; at a prompt, before the first question."""
    if journey.asker.interactive or world.store.writers_take_turns:
        catch_up(world)
    elif _behind(world.store, world.clock.now().date()):
        # Only then: the first unit runs alone (the world lock), which a server's runs of
        # other borrowers on the same day never wait for.
        world.store.before_first_unit(lambda: catch_up(world))


def _sources(
    scenario: Scenario,
    answers: Answers | None,
    sets: Sequence[str],
    given: Mapping[str, object] | None = None,
) -> list[AnswerSource]:
    """``sets`` over what a story's action ``given`` itself over the scenario's borrower
    answers over ``answers``."""
    sources = [parse_set_options(list(sets))]
    if given:
        sources.append(AnswerSource(given, Path.cwd(), "the story's action"))
    if scenario.borrower:
        origin = f"scenario {scenario.name} (borrower)"
        # What the borrower of the scenario does first; a walk recorded under it (which kept
        # these too) goes on from there.
        borrower = AnswerSource(scenario.borrower, scenario.base_dir, origin, falls_through=True)
        sources.append(borrower)
    if isinstance(answers, Mapping):
        sources.append(AnswerSource(answers, Path.cwd(), "answers"))
    elif answers is not None:
        sources.append(load_answers_file(Path(answers)))
    return sources


class Outcome(msgspec.Struct):
    """What a journey run left: the applicant record and its JSON-ready, masked result."""

    record: ApplicantRecord
    result: JourneyResult

    @property
    def stopped(self) -> bool:
        return self.record["status"] == "stopped"


class WorldArgs(TypedDict, total=False):
    """The plain arguments that decide a run besides the state file (see :func:`open_journey`)."""

    seed: int
    clock: str | datetime | None
    scenario: str | Scenario | None
    answers: Answers | None
    sets: Sequence[str]
    prompter: Prompter | None
    on_close: Callable[[Asker], None] | None
    lock_timeout: float | None
    on_wait: Callable[[str], None] | None
    action: RunAction
    # The password-hashing grade of a new state file (see :func:`file_grade`).
    hashing: HashGrade | None
    on_notice: Callable[[str], None] | None
    # The id a new record's random draws are keyed by: the id it had where it was recorded
    # (a replay's records are numbered again); None, its own.
    draws: str | None
    # A replay of a run that ended before its steps did: it ends where its answers run out.
    interrupted: bool
    # A replay of a recorded run (a ticket's): its answers are the ones the run took, none
    # for a question it never reached, so none is asked for before it starts.
    replayed: bool
    # The answers a story's action gives itself: over the scenario's borrower answers (the
    # story chose them, as --set does on a command line), under ``sets``.
    given: Mapping[str, object] | None


def run_journey(
    state: str | os.PathLike[str] | ServerUrl | MemoryState | None,
    *,
    resume: str | None = None,
    step: tuple[str, str] | None = None,
    **world: Unpack[WorldArgs],
) -> Outcome:
    """Run the borrower's journey: a new applicant, ``resume`` one (by id), or one ``step``
    ``(applicant id, step name)`` again."""

    def start(journey: Journey) -> ApplicantRecord:
        journey.run["resume"] = resume
        if step is not None:
            return run_one_step(journey, *step)
        if resume:
            return resume_journey(journey, resume)
        return start_journey(journey)

    action: RunAction
    if step is not None:
        action = {"action": "step", "applicant": step[0], "step": step[1]}
    else:
        action = {"action": "resume", "applicant": resume} if resume else {"action": "apply"}
    world.setdefault("action", action)
    record, journey = run_flow(state, start, command="apply", **world)
    return Outcome(record, result_of(record, journey.facts))


def run_flow(
    state: str | os.PathLike[str] | ServerUrl | MemoryState | None,
    start: Callable[[Journey], RecordT],
    *,
    command: str,
    **world: Unpack[WorldArgs],
) -> tuple[RecordT, Journey]:
    """Run ``start`` (the journey, or an account flow such as ``account_flows.change_phone``)
    in the world; the record it returns and the journey it ran in (its world's facts phrase
    the outcome)."""
    with open_journey(state, command=command, **world) as journey:
        record = start(journey)
    return record, journey


@contextlib.contextmanager
def _scripted_unit(journey: Journey) -> Iterator[None]:
    """A run no person answers (a script's answers, ``--no-input``, a story) as one commit
    unit: its steps reach the file in one write, where a person's run writes each step as it
    finishes, so that the file's lock is free while they think.

    What it keeps is what the steps' own units keep: a run that stops, runs out of answers,
    is interrupted (Ctrl-C, between steps too) or fails writes the steps it finished,
    resumable, as a person's does. Refused input (answers missing before the first step) and
    a state file that refused write nothing; nor does a kill, and the run is made again
    whole. A server's writers run at once, each holding what it wrote until it commits:
    there, each step stays its own unit, so a journey holds no record of the world for longer
    than a step."""
    store = journey.store
    if journey.asker.interactive or not store.writers_take_turns:
        yield
        return
    failure: BaseException | None = None
    with store.transaction():
        try:
            yield
        except BaseException as exc:
            refused = isinstance(exc, UsageError) and not getattr(exc, "stopped", None)
            if refused or isinstance(exc, StateError):
                raise
            failure = exc
    if failure is not None:
        raise failure


# Meta key: the worlds the clock moved in, in order, each with the time its moves reached;
# a scenario file's body is kept once, under its own key (``scenario_text.`` and its hash).
CLOCK_WORLDS_KEY = "clock_worlds"
# The worlds repayments and re-instalments were made in: each change of world, from the place
# in the file of the first act made in it.
SERVICING_WORLDS_KEY = "servicing_worlds"
SCENARIO_TEXT_PREFIX = "scenario_text."


def world_ref(world: World) -> dict[str, str | None]:
    """How the state file names ``world``'s scenario for a ticket: its name, and the hash of
    a file's body, kept once (``scenario_text.`` and the hash)."""
    text = _scenario_text(world.scenario)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16] if text else None
    if text:
        world.store.meta_set(SCENARIO_TEXT_PREFIX + str(digest), text)
    return {"scenario": _scenario_ref(world.scenario), "text": digest}


def note_servicing_world(world: World, loan: Loan) -> None:
    """Keep the world a repayment or re-instalment was made in, so that a ticket makes it
    there again (a card frozen in one world refuses the repayment, in another it pays): an
    entry when the world changes, from the act's place in the file (acts in one world in a
    row are one entry, as a populated world's thousands are)."""
    acts = [e for e in loan.get("events", []) if e["event"] in SERVICING_EVENTS and "seq" in e]
    if not acts:
        return
    ref = world_ref(world)
    kept = world.store.meta_get(SERVICING_WORLDS_KEY)
    worlds = list(kept) if isinstance(kept, list) else []
    last = worlds[-1] if worlds and isinstance(worlds[-1], dict) else {}
    if (last.get("scenario"), last.get("text")) == (ref["scenario"], ref["text"]):
        return
    worlds.append({"from": acts[-1]["seq"], **ref})
    world.store.meta_set(SERVICING_WORLDS_KEY, worlds)


def servicing_world(kept: object, seq: object) -> dict[str, object] | None:
    """The world (``scenario``, ``text``) the act at place ``seq`` was made in, by what
    :func:`note_servicing_world` kept; None when nothing was kept then (an older file)."""
    if not isinstance(seq, int) or not isinstance(kept, list):
        return None
    found = None
    for entry in kept:
        if isinstance(entry, dict) and isinstance(entry.get("from"), int) and entry["from"] <= seq:
            found = entry
    return found


# A borrower's own acts on a loan (their events).
SERVICING_EVENTS = ("repaid", "repay_failed", "restructured")


def note_clock_world(world: World) -> None:
    """Keep the world a clock move ran in (its scenario's name, or a file's body), so that a
    ticket moves the clock in it again: a bank that debits on the due dates in one world
    does not in another. Moves in one world in a row are one entry, reaching the last; a
    move that moved nothing is none."""
    if world.store.meta_get("clock") == world.clock.isoformat():
        return
    entry = {"to": world.clock.isoformat(), **world_ref(world)}
    kept = world.store.meta_get(CLOCK_WORLDS_KEY)
    worlds = list(kept) if isinstance(kept, list) else []
    last = worlds[-1] if worlds and isinstance(worlds[-1], dict) else None
    if last is not None and (last.get("scenario"), last.get("text")) == (
        entry["scenario"],
        entry["text"],
    ):
        worlds[-1] = entry
    else:
        worlds.append(entry)
    world.store.meta_set(CLOCK_WORLDS_KEY, worlds)


def _scenario_text(scenario: Scenario) -> str | None:
    """A scenario file's body as a bundle inlines it (a built-in is named, not copied), with
    its preset accounts' passwords and its borrower's secrets as the stand-ins the answers
    carry."""
    if scenario.builtin and scenario.text is None:
        return None
    try:
        data = scenario_data(scenario)
    except UsageError:
        return None
    for account in (data.get("accounts") if isinstance(data, dict) else None) or []:
        if isinstance(account, dict) and isinstance(account.get("password"), str):
            account["password"] = stand_in(account["password"])
    if isinstance(data, dict) and isinstance(data.get("borrower"), dict):
        # The answers a scenario gives as a run records the ones it is given: secrets as
        # stand-ins, a CVV2 as the stand-in a recording keeps (it is never stored).
        data["borrower"] = replayable(data["borrower"])

    return yaml_text(data)


def _scenario_ref(name_or_path: str | Scenario | None) -> str:
    """How a report names the scenario: a built-in's name, or a file's absolute path."""
    if isinstance(name_or_path, Scenario):
        # A file's as given (low.yaml) is where the command ran: resolved, as for a name.
        return name_or_path.name if name_or_path.builtin else _scenario_ref(name_or_path.source)
    if not name_or_path:
        return "default"
    path = Path(name_or_path)
    try:
        is_file = file_kind(path) == "file"
    except ValueError:
        is_file = False
    return str(path.resolve()) if path.suffix and is_file else name_or_path


def _answers_ref(answers: Answers | None) -> str | None:
    if answers is None or isinstance(answers, Mapping):
        return None
    return answers_ref(answers)


def _kept_set_item(item: str) -> str:
    """A ``--set`` kept for the report, with a secret answer's value left out, and a photo's
    path absolute (the report's reproduce line runs from any folder)."""
    key, sep, value = item.partition("=")
    question = QUESTIONS.get(key.strip())
    if sep and question is not None and question.secret:
        return f"{key}=<hidden>"
    if sep and question is not None and question.kind == "path" and value.strip():
        return f"{key}={path_answer(value.strip())}"
    return item
