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

The read side: :func:`applicant` (a journey or flow record by A/F/L id), :func:`timeline`,
:func:`explain`, :func:`report`, :func:`loan` (a loan as it is today). A record's ticket
bundle: :func:`bundle`; replaying one: :func:`replay` (a typed :class:`Verdict`).

The operations' arguments (:class:`WorldArgs` for journeys and flows, :class:`WorldOptions` for
the one-unit commands) and results (:class:`RunResult`, :class:`ClockMove`, :class:`Repaid`,
:class:`Restructured`) are documented where they are defined, in :mod:`loancli.operations`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Unpack

from loancli.i18n import language, set_language
from loancli.journey.session import WorldArgs, open_world
from loancli.loan.loans import find_loan, loan_view
from loancli.operations import (
    ACTIONS,
    Action,
    AddContact,
    AnyAction,
    Apply,
    BindCard,
    ChangePhone,
    Checkout,
    ClockMove,
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
    change_phone,
    checkout,
    clock_now,
    log_in,
    perform,
    remove_contact,
    repay,
    restructure,
    resume,
    run_step,
    set_clock,
    unbind_card,
    unlock,
)
from loancli.store import MemoryState
from loancli.stories.from_record import story_text
from loancli.stories.ticket import Bundle, Verdict, build_bundle, read_bundle, write_bundle
from loancli.stories.ticket import replay as replay_bundle
from loancli.support import explain as explaining
from loancli.support import reporting

__all__ = [
    "ACTIONS",
    "Action",
    "AddContact",
    "AnyAction",
    "Apply",
    "BindCard",
    "Bundle",
    "ChangePhone",
    "Checkout",
    "ClockMove",
    "Login",
    "RemoveContact",
    "Repaid",
    "Restructured",
    "Resume",
    "RunResult",
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
    "apply",
    "bind_card",
    "bundle",
    "change_phone",
    "checkout",
    "clock_now",
    "explain",
    "in_memory",
    "loan",
    "log_in",
    "perform",
    "remove_contact",
    "repay",
    "replay",
    "report",
    "restructure",
    "resume",
    "run_step",
    "set_clock",
    "story_of_record",
    "timeline",
    "unbind_card",
    "unlock",
]


def in_memory() -> MemoryState:
    """A new, empty world held in memory (for a script, a story or a test): no file, no
    lock, gone with the process."""
    return MemoryState()


# -- the read side --------------------------------------------------------------------------


def applicant(state: StatePath | MemoryState, record_id: str) -> dict[str, Any]:
    """The journey (``A0001``) or flow (``F0001``) record an id names; a loan id (``L0001``)
    names the record that made the loan."""
    with open_world(state, read_only=True) as world:
        return reporting.resolve(world.store, record_id)


def timeline(state: StatePath | MemoryState, record_id: str) -> list[dict[str, Any]]:
    """The events of a journey or flow and of its loans, in simulated-time order."""
    with open_world(state, read_only=True) as world:
        return reporting.timeline(world.store, record_id)


def explain(state: StatePath | MemoryState, record_id: str) -> dict[str, str]:
    """Why each decision went the way it did, a sentence with its figures per topic."""
    with open_world(state, read_only=True) as world:
        return explaining.explain_applicant(world.store, record_id, world.clock.now().date())


def report(state: StatePath | MemoryState, record_id: str) -> dict[str, Any]:
    """The ticket-ready report of a journey or flow (masked), as ``report --format json``."""
    with open_world(state, read_only=True) as world:
        return reporting.report(world.store, record_id)


def loan(state: StatePath | MemoryState, loan_id: str) -> dict[str, Any]:
    """A loan as it is today: the current plan, each installment's status, penalty and what
    is owed (``L0001``, or the newest loan of ``A0001``/``F0001``)."""
    with open_world(state, read_only=True) as world:
        today: date = world.clock.now().date()
        return loan_view(find_loan(world.store, loan_id), today)


def bundle(
    state: StatePath | MemoryState,
    record_id: str,
    path: str | Path,
    *,
    keep_personal_data: bool = False,
) -> Bundle:
    """Write the ticket bundle of a journey or flow to ``path`` (0600), pseudonymised unless
    ``keep_personal_data``; returns it."""
    with open_world(state, read_only=True) as world:
        data = reporting.report(world.store, record_id, Path(path).name)
        made = build_bundle(
            world.store,
            data["id"],
            reporting.to_markdown(data),
            data,
            keep_personal_data,
        )
    write_bundle(Path(path), made)
    return made


def story_of_record(
    state: StatePath | MemoryState, record_id: str, out: str | Path | None = None
) -> str:
    """The story of a journey or flow as it happened (its runs, then its loans' clock moves,
    repayments and re-instalments), expecting what it holds now, as YAML. Uploaded images
    that are not built in are copied beside ``out`` (the file the story will be written to)."""
    folder = Path(out).parent if out is not None else None
    with open_world(state, read_only=True) as world:
        return story_text(world.store, record_id, folder)


def replay(path: str | Path, state: str | Path | MemoryState | None = None) -> Verdict:
    """Replay a ticket bundle in a fresh world (``state``, new; else a temporary one) and
    compare: the :class:`Verdict` says reproduced, or the first event that differs."""
    world = Path(state) if isinstance(state, str) else state
    return replay_bundle(read_bundle(Path(path)), world, where=str(path))


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
        keys = ("clock", "scenario", "lock_timeout", "on_wait", "command")
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

    def loan(self, loan_id: str) -> dict[str, Any]:
        return loan(self.state, loan_id)

    def applicant(self, record_id: str) -> dict[str, Any]:
        return applicant(self.state, record_id)
