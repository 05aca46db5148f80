"""What support hands over: an applicant's timeline and a ticket-ready report.

Everything here reads the stored records, whose events were masked when they were written,
and masks the borrower's identifiers again where it shows them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NotRequired, TypedDict

from loancli.account.accounts import identity_of
from loancli.account.cards import cards_to_move_to, loan_card_refusal
from loancli.asking import read_yaml, shown_set_item
from loancli.errors import NotFound, RuleError, UsageError
from loancli.i18n import N_, _, in_language, language
from loancli.journey.payout import product_of
from loancli.journey.session import CLOCK_WORLDS_KEY, SCENARIO_TEXT_PREFIX
from loancli.loan.loans import loan_view
from loancli.loan.money import fmt
from loancli.loan.servicing import catch_up, overdue_from, owed_total
from loancli.masking import (
    Private,
    Word,
    mask_card,
    mask_id,
    mask_login_id,
    mask_name,
    mask_numbers,
    mask_phone,
    mask_text,
    private_words,
    shown_events,
    shown_texts,
)
from loancli.reasons import Reason
from loancli.records import (
    APPLICANTS,
    CREDIT,
    FLOWS,
    LOANS,
    Applicant,
    EventDetail,
    Flow,
    Run,
)
from loancli.records import is_flow as is_flow  # where support's callers have found it
from loancli.store import Store
from loancli.support.event_words import detail_words
from loancli.support.names import step_name
from loancli.text import close_up, printable
from loancli.world.providers import WorldSettings
from loancli.world.scenario import (
    Scenario,
    builtin_names,
    builtin_scenario,
    load_scenario,
    scenario_from_dict,
)

# The domain field a record's id is refused as (``cli/`` names the argument the user typed).
RECORD_ID = "record"


class TimelineRow(TypedDict):
    """One event of a timeline: of the journey or flow (``source`` is ``journey`` or the
    flow's kind), or of one of its loans (``source`` is the loan's id)."""

    at: str
    source: str
    step: str | None
    event: str
    reason: str | None
    detail: EventDetail


class Borrower(TypedDict):
    """Who the report is about, masked."""

    phone: str | None
    name: str | None
    id_number: str | None
    # The device of the first login or account creation, as its event recorded it.
    device: EventDetail | None


class ScenarioShown(TypedDict):
    name: str
    description: str


class RunScenario(TypedDict):
    """The scenario one run was made in."""

    run: int
    command: str | None
    name: str
    description: str


class ClockScenario(TypedDict):
    """A world the clock moved in other than the record's own (a bank that debits from a card
    holding 100 moves the loans differently): the time its moves reached."""

    to: str
    name: str
    description: str


class ReportOutcome(TypedDict):
    status: str
    stopped_at: str | None
    reason: str | None
    explanation: str


class Said(TypedDict):
    """What the app tells the borrower, in one language."""

    message: str
    advice: str


class FailedAttempt(TypedDict):
    at: str
    step: str | None
    event: str
    reason: str | None


class LoanNow(TypedDict):
    """A loan of the record as it is on the report's day: what a ticket about the weeks after
    the payout (overdue, penalty, a re-instalment, the credit record) is about."""

    loan: str
    status: str
    remaining_principal: str
    owed_today: str
    overdue_installments: int
    # Every penalty the loan accrued, paid or not; what of it is owed today.
    penalty: str
    penalty_owed: str
    restructured: bool
    refund_owed: str
    # The credit-bureau entries held against it (their ids), and those of them whose default
    # has not ended (an installment reported and still unpaid).
    credit_held: list[str]
    credit_in_default: list[str]
    # Why a repayment from its card is refused now (a reason code: the card unbound from the
    # account, or to bind again after a phone change); absent when it is not.
    card_refused: NotRequired[str]
    # The card it is repaid from, masked (the one to bind again when it is refused).
    card: NotRequired[str]
    # Another card bound to the account that could take it over (``card use``), by its id,
    # when its own card is refused.
    other_card: NotRequired[str]
    # The oldest installment fallen due and unpaid but not yet overdue (its grace period
    # running: no automatic debit took it); absent when there is none.
    unpaid_due: NotRequired[UnpaidDue]


class UnpaidDue(TypedDict):
    """An installment past its due date, unpaid, inside its grace period: the day support can
    still keep it from going overdue."""

    installment: int
    due_date: str
    owed: str
    # The last day it can be repaid without a penalty or a credit report.
    last_day: str


class Report(TypedDict):
    """The ticket report (``report --format json``); markdown is rendered from it."""

    applicant_id: str
    id: str
    kind: str
    borrower: Borrower
    scenario: ScenarioShown
    scenarios: list[RunScenario]
    clock_scenarios: list[ClockScenario]
    outcome: ReportOutcome
    support_action: str | None
    borrower_message: dict[str, Said] | None
    attempts_failed: list[FailedAttempt]
    timeline: list[TimelineRow]
    # Each of its loans as it is on the report's day (none for a record without a loan).
    loans: NotRequired[list[LoanNow]]
    replay: str
    bundle: str | None
    reproduce: list[str]


def resolve(store: Store, record_id: str, key: str = RECORD_ID) -> Applicant | Flow:
    """The applicant (A...) or flow (F...) an id names; a loan id (L...) names the journey or
    flow that made the loan. :class:`NotFound` (field ``record_id``) naming the state file when
    there is none."""
    wanted = record_id.strip().upper()
    if wanted.startswith("L"):
        loan = store.get(LOANS, id=wanted)
        if loan is None:
            raise NotFound(
                _("no loan {record_id!r} in the state file {value0}").format(
                    record_id=record_id, value0=store.path
                ),
                key=key,
            )
        wanted = loan["applicant_id"]
    if wanted.startswith("A"):
        applicant = store.get(APPLICANTS, id=wanted)
        if applicant is None:
            raise NotFound(
                _("no applicant {applicant_id!r} in the state file {value0}").format(
                    applicant_id=wanted, value0=store.path
                ),
                key=key,
            )
        return applicant.copy()  # a plain dict, as every caller had it (a Document is not)
    if wanted.startswith("F"):
        flow = store.get(FLOWS, id=wanted)
        if flow is None:
            raise NotFound(
                _("no flow {record_id!r} in the state file {value0}").format(
                    record_id=record_id, value0=store.path
                ),
                key=key,
            )
        return flow.copy()
    raise RuleError(
        key,
        _("{record_id!r} is not an id: an applicant is A0001, a flow F0001, a loan L0001").format(
            record_id=record_id
        ),
    )


def source_of(record: Applicant | Flow) -> str:
    """What a timeline names as the source of a record's events: the flow's kind, or
    ``journey``."""
    return record["kind"] if is_flow(record) else "journey"


def timeline(store: Store, app: Applicant | Flow) -> list[TimelineRow]:
    """The journey's (or flow's) events and its loans' events, in simulated-time order (the
    record as :func:`resolve` found it)."""
    source = source_of(app)
    rows: list[TimelineRow] = [
        {
            "at": e["at"],
            "source": source,
            "step": e.get("step"),
            "event": e["event"],
            "reason": e.get("reason"),
            "detail": e.get("detail", {}),
        }
        for e in shown_events(app.get("events", []), private_of(store, app))
    ]
    for loan in store.find(LOANS, applicant_id=app["id"]):
        rows += [
            {
                "at": e["at"],
                "source": loan["id"],
                "step": None,
                "event": e["event"],
                "reason": e.get("reason"),
                "detail": {**e.get("detail", {}), **({"on": e["on"]} if "on" in e else {})},
            }
            for e in loan.get("events", [])
        ]
    # Stable sort: events at the same moment keep the order they were recorded in. Compared
    # as instants, not strings: runs given --clock in other UTC offsets may be mixed.
    return sorted(rows, key=lambda r: datetime.fromisoformat(r["at"]))


def private_of(store: Store, record: Applicant | Flow) -> list[Word]:
    """The borrower's words a report or a timeline masks (:func:`private_words`): a flow's
    record holds none of its own, so those of its account's ID card."""
    phone = record.get("phone")
    if record.get("identity") or not phone:
        return private_words(record)
    return private_words({**record, "identity": identity_of(store, phone) or {}})


def reproduce_commands(app: Applicant | Flow) -> list[str]:
    """The commands that replayed this applicant's runs on a new state file, as a report
    shows them: the files they name masked as paths (a folder named after the borrower), so
    such a path is shown, not pasted; the bundle is what replays anywhere."""
    runs = app.get("runs", [])
    # On the new state file the first apply creates the first applicant, whatever this one's
    # ID was; the later runs (--resume, step) must name that one.
    fresh = bool(runs) and not runs[0].get("resume") and not runs[0].get("step")
    replay_id = "A0001" if fresh else app["id"]
    return [run_command(app, run, replay_id) for run in runs]


def run_command(record: Applicant | Flow, run: Run, replay_id: str) -> str:
    """The command of one run of ``record`` on a new state file, where the record is
    ``replay_id`` (masked as :func:`reproduce_commands` says). A run whose answers came from
    no file nor ``--set`` (typed at a terminal, or given by a story or the Python API) is one
    a person answers again: without ``--no-input``, which refused it for the missing
    answers."""
    answers = run.get("answers")
    scripted = bool(answers or run.get("set"))
    words = [
        "loancli",
        "--db",
        "repro.json",
        "--seed",
        str(run.get("seed", 0)),
        "--clock",
        run["clock"],
        "--scenario",
        run.get("scenario") or "default",
        *(["--no-input"] if scripted else []),
    ]
    if is_flow(record):
        words += flow_words(run)
    elif run.get("step"):
        words += ["step", replay_id, run["step"]]
    else:
        words += ["apply"]
        if run.get("resume"):
            words += ["--resume", replay_id]
    if answers:
        words += ["--answers", answers]
    for item in run.get("set", []):
        words += ["--set", shown_set_item(item)]
    return shlex.join(masked_values(words, private_words(record)))


# The options whose value is a person's text (a file named after the borrower, what they
# wrote): a reproduce line shows it masked. A seed, a clock or an id is never masked.
PERSONS_TEXT = frozenset({"--scenario", "--answers", "--item", "--reason", "--set"})


def masked_values(words: Sequence[str], private: Private) -> list[str]:
    """``words`` of a command with the value of each of :data:`PERSONS_TEXT` masked as free
    text is (:func:`mask_text`), the rest as they are."""
    return [
        mask_text(word, private) if n and words[n - 1] in PERSONS_TEXT else word
        for n, word in enumerate(words)
    ]


# The command words of each flow action (its own fields follow, as arguments or options).
_FLOW_WORDS = {
    "change_phone": ["account", "change-phone"],
    "bind_card": ["card", "bind"],
    "unbind_card": ["card", "unbind"],
    "use_card": ["card", "use"],
    "add_contact": ["contacts", "add"],
    "remove_contact": ["contacts", "remove"],
    "login": ["login"],
    "unlock": ["support", "unlock"],
    "checkout": ["checkout"],
}


def flow_words(run: Run) -> list[str]:
    """The command that runs a flow's action again, as a person types it (a phone masked)."""
    action = run.get("action")
    kind = action["action"] if action else None
    if action is None or kind not in _FLOW_WORDS:  # an older loancli kept the run's words
        return [str(w) for w in run.get("argv") or str(run.get("command", "")).split()]
    words = list(_FLOW_WORDS[kind])
    if kind == "checkout":
        words += ["--item", str(action.get("item")), "--price", str(action.get("price"))]
        words += ["--periods", str(action.get("periods", 12))]
    for name in ("card", "contact"):
        if name in action:
            words.append(str(action[name]))
    if "loan" in action:
        words += ["--loan", str(action["loan"])]
    if "phone" in action:
        # ``support unlock`` names the account by its mobile or its ID number.
        words.append(mask_login_id(str(action["phone"])))
    return words


def scenario_of(record: Applicant | Flow) -> Scenario | None:
    """The scenario of a record's last run: a built-in by its name, a file's by the body the
    run kept (``scenario_text``), else None. A path a record names is never read: the state
    file may come from anyone, and a report would print what it found there."""
    runs = record.get("runs", [])
    if not runs:
        return load_scenario(None)
    import yaml

    named = runs[-1].get("scenario") or "default"
    text = runs[-1].get("scenario_text")
    try:
        if text is None:
            # The built-in's own file, never one of that name in the current folder.
            return builtin_scenario(named) if named in builtin_names() else None
        return scenario_from_dict(read_yaml(text, typed=True), str(named))
    except (UsageError, ValueError, yaml.YAMLError):
        return None


def facts_of(record: Applicant | Flow) -> dict[str, str]:
    """The figures the record's world stated in its reasons (the default world's if unknown)."""
    scenario = scenario_of(record)
    return (scenario.world if scenario else WorldSettings()).facts()


def report(
    store: Store, record_id: str, bundle: str | None = None, today: date | None = None
) -> Report:
    """The ticket report as data (``report --format json``; markdown is rendered from it),
    for a journey, a flow or a loan's journey. ``bundle`` names the ticket bundle written
    with it, which its Reproduce section replays; ``today`` (the simulated day) is the day
    its loans are shown as they are on."""
    app = resolve(store, record_id)
    applicant_id = app["id"]
    phone = app.get("phone")
    identity = app.get("identity") or (identity_of(store, phone) if phone else None)
    name = identity.get("name") if identity else None
    number = identity.get("number") if identity else None
    # The borrower's words to mask, with the ID card just found (a flow holds none).
    private = private_words({**app, "identity": identity or {}})
    device = next(
        (
            e["detail"].get("device")
            for e in app.get("events", [])
            if e["event"] in ("account_created", "logged_in") and e["detail"].get("device")
        ),
        None,
    )
    borrower: Borrower = {
        "phone": mask_phone(phone) if phone else None,
        "name": mask_name(name) if name else None,
        "id_number": mask_id(number) if number else None,
        "device": shown_texts(device, private),
    }
    runs = app.get("runs", [])
    scenario_name = runs[-1].get("scenario", "default") if runs else "default"
    scenario = scenario_of(app)
    described = _(scenario.description) if scenario and scenario.description else ""
    facts = (scenario.world if scenario else WorldSettings()).facts()
    code = app.get("reason")
    reason = Reason(code) if code else None
    outcome: ReportOutcome = {
        "status": app["status"],
        "stopped_at": app.get("stopped_at"),
        "reason": app.get("reason"),
        "explanation": (
            reason.sentence_for(facts, kind_of(app)) if reason else _progress_sentence(app)
        ),
    }
    failures = [e for e in app.get("events", []) if e.get("reason")]
    made: Report = {
        "applicant_id": applicant_id,
        "id": applicant_id,
        "kind": app["kind"] if is_flow(app) else "apply",
        "borrower": borrower,
        "scenario": {
            "name": mask_text(scenario_name, private),
            "description": mask_text(described, private),
        },
        # Every run's world, in order: a resumed journey may have run in more than one.
        "scenarios": _run_scenarios(runs, private),
        "clock_scenarios": _clock_scenarios(store, scenario_name, private),
        "outcome": outcome,
        "support_action": (
            reason.advice_in({**facts, "id": app["id"]}, kind=kind_of(app)) if reason else None
        ),
        # What the app shows the borrower, ready to paste, in Chinese, and the English for
        # engineers: the order follows --lang.
        # (The app's own words: no command, as the general advice says it.)
        "borrower_message": _both_languages(reason, facts, kind_of(app)) if reason else None,
        "attempts_failed": [
            {"at": e["at"], "step": e.get("step"), "event": e["event"], "reason": e["reason"]}
            for e in failures
            if e["event"] != "stopped"
        ],
        "timeline": timeline(store, app),
        "replay": f"loancli replay {shlex.quote(bundle or 'ticket.zip')}",
        "bundle": bundle,
        "reproduce": reproduce_commands(app),
    }
    if today is not None:
        made["loans"] = loans_now(store, applicant_id, today, scenario.world if scenario else None)
        trouble = _loan_trouble(made["loans"]) if reason is None else None
        if trouble is not None:
            # The journey went through; what the ticket is about came after it (an overdue,
            # a refund owed): said in plain words, what to do, and what to tell the borrower.
            outcome["explanation"] = close_up(f"{outcome['explanation']} {trouble[0]}")
            made["support_action"], made["borrower_message"] = trouble[1], trouble[2]
    return made


def _loan_trouble(loans: list[LoanNow]) -> tuple[str, str, dict[str, Said]] | None:
    """What is wrong with the record's loans today, if anything: its overdue installments
    (with what is owed and the credit record) and a refund owed to the borrower, as the
    report's plain words, the support action, and the borrower's message in both
    languages."""
    overdue = [x for x in loans if x["overdue_installments"]]
    # Fallen due and not taken (a debit failed or was not tried), the grace period running:
    # the days support can still keep it from going overdue (found by a support walk).
    in_grace = [x for x in loans if not x["overdue_installments"] and x.get("unpaid_due")]
    refunds = [x for x in loans if x["refund_owed"] != "0.00"]
    if not overdue and not in_grace and not refunds:
        return None
    order = ("zh", "en") if language() == "zh" else ("en", "zh")
    said: list[str] = []
    actions: list[str] = []
    messages: dict[str, list[str]] = {lang: [] for lang in order}
    advice: dict[str, list[str]] = {lang: [] for lang in order}
    for x in overdue:
        facts = {
            "loan": x["loan"],
            "n": x["overdue_installments"],
            "owed": x["owed_today"],
            "penalty": x["penalty_owed"],
        }
        said.append(_(_OVERDUE_SAID).format(**facts))
        # Reported and unpaid still: an entry whose default ended (an installment repaid
        # since) is a past one, not this overdue's (found by a QA walk).
        reported = x["credit_in_default"]
        if reported:
            said.append(_(_REPORTED_SAID).format(entries=", ".join(reported)))
        actions.append(_(_OVERDUE_ACTION).format(**facts))
        _bind_first(x, actions, advice)
        for lang in order:
            messages[lang].append(in_language(lang, _OVERDUE_MESSAGE).format(**facts))
            # Reported already: said as done, not as what may come (the borrower was told the
            # overdue "may be reported" after the bureau held it).
            said_advice = _REPORTED_ADVICE if reported else _OVERDUE_ADVICE
            advice[lang].append(in_language(lang, said_advice))
    for x in in_grace:
        unpaid = x["unpaid_due"]
        due_facts = {"loan": x["loan"], "n": unpaid["installment"], "due": unpaid["due_date"]}
        due_facts.update(owed=unpaid["owed"], last=unpaid["last_day"])
        said.append(_(_UNPAID_DUE_SAID).format(**due_facts))
        actions.append(_(_UNPAID_DUE_ACTION).format(**due_facts))
        _bind_first(x, actions, advice)
        for lang in order:
            messages[lang].append(in_language(lang, _UNPAID_DUE_MESSAGE).format(**due_facts))
            advice[lang].append(in_language(lang, _UNPAID_DUE_ADVICE).format(**due_facts))
    for x in refunds:
        facts = {"loan": x["loan"], "refund": x["refund_owed"]}
        said.append(_(_REFUND_SAID).format(**facts))
        actions.append(_(_REFUND_ACTION).format(**facts))
        for lang in order:
            messages[lang].append(in_language(lang, _REFUND_MESSAGE).format(**facts))
            advice[lang].append(in_language(lang, _REFUND_ADVICE))
    spoken = {
        lang: Said(
            message=close_up(" ".join(messages[lang])), advice=close_up(" ".join(advice[lang]))
        )
        for lang in order
    }
    return close_up(" ".join(said)), close_up(" ".join(actions)), spoken


def _bind_first(loan: LoanNow, actions: list[str], advice: dict[str, list[str]]) -> None:
    """What support and the borrower are told first when the loan's card refuses repayments:
    "repay" alone sends the borrower to a repayment that is refused."""
    refused = loan.get("card_refused")
    if not refused:
        return
    card, other = loan.get("card", ""), loan.get("other_card")
    if other:
        # Another card of the account can take the loan over (更换还款卡).
        action = _(_MOVE_OR_BIND_ACTION).format(loan=loan["loan"], code=refused, card=card)
        actions.append(action.replace("CARD_ID", other))
        for lang, said in advice.items():
            said.append(in_language(lang, _MOVE_OR_BIND_ADVICE).format(card=card))
        return
    actions.append(_(_BIND_FIRST_ACTION).format(loan=loan["loan"], code=refused, card=card))
    for lang, said in advice.items():
        said.append(in_language(lang, _BIND_FIRST_ADVICE).format(card=card))


_UNPAID_DUE_SAID = N_(
    "Since then, installment {n} of loan {loan} fell due on {due} and is unpaid ({owed}); its "
    "grace period ends on {last}."
)
_UNPAID_DUE_ACTION = N_(
    "Ask the borrower to repay installment {n} of loan {loan} ({owed}) by {last}: from the "
    "day after, it is overdue, costs a penalty every day and may be reported to the credit "
    "bureau. loancli explain says why no automatic debit took it."
)
_UNPAID_DUE_MESSAGE = N_(
    "Installment {n} of your loan {loan} ({owed}) was due on {due} and has not been paid."
)
_UNPAID_DUE_ADVICE = N_(
    "Please repay it by {last}: from the day after, a penalty is charged every day and the "
    "overdue may be reported to the credit bureau."
)
_OVERDUE_SAID = N_(
    "Since then, loan {loan} has {n} installment(s) overdue: {owed} is owed today, penalty "
    "interest {penalty} included."
)
_REPORTED_SAID = N_("The overdue was reported to the credit bureau ({entries}).")
_OVERDUE_ACTION = N_(
    "Ask the borrower to repay loan {loan}'s overdue installments ({owed} today): the penalty "
    "stops on the day they are paid. loancli explain shows how each figure came about, and "
    "each automatic debit that failed or was not tried."
)
_BIND_FIRST_ACTION = N_(
    "Loan {loan}'s card {card} must be bound again first ({code}): a repayment from it is "
    "refused until then (loancli card bind)."
)
_MOVE_OR_BIND_ACTION = N_(
    "Loan {loan}'s card {card} must be bound again ({code}), or the loan moved to another "
    "card bound to the account (loancli card use CARD_ID --loan {loan}): a repayment from "
    "{card} is refused until then."
)
_MOVE_OR_BIND_ADVICE = N_(
    "Bind your bank card {card} again, or choose another bound card as the repayment card: a "
    "repayment from {card} is refused until then, and no automatic debit is taken from it."
)
_BIND_FIRST_ADVICE = N_(
    "Bind your bank card {card} again first: a repayment from it is refused until then, and "
    "no automatic debit is taken from it."
)
_OVERDUE_MESSAGE = N_(
    "Your loan {loan} has {n} installment(s) overdue; {owed} is owed today, penalty interest "
    "{penalty} included."
)
_OVERDUE_ADVICE = N_(
    "Please repay as soon as you can: penalty interest is charged every day until it is paid, "
    "and an overdue may be reported to the credit bureau."
)
_REPORTED_ADVICE = N_(
    "Please repay as soon as you can: penalty interest is charged every day until it is paid. "
    "The overdue has been reported to the credit bureau; once it is repaid, the record says the "
    "default ended, and it is removed five years after that."
)
_REFUND_SAID = N_("A refund of {refund} on loan {loan} is owed to the borrower.")
_REFUND_ACTION = N_(
    "Make sure the refund of {refund} on loan {loan} reaches the borrower's card; loancli "
    "explain says why it is owed."
)
_REFUND_MESSAGE = N_("A refund of {refund} on your loan {loan} is owed to you.")
_REFUND_ADVICE = N_(
    "It is returned to the card it was taken from; if it has not arrived, contact customer service."
)


def kind_of(record: Applicant | Flow) -> str:
    """The command a record is of, as advice fitting one is keyed: a flow's kind, else
    ``apply`` (a journey's record has none)."""
    kind = record.get("kind")
    return kind if isinstance(kind, str) else "apply"


def _both_languages(reason: Reason, facts: dict[str, str], kind: str = "") -> dict[str, Said]:
    order = ("zh", "en") if language() == "zh" else ("en", "zh")
    return {
        lang: {
            "message": reason.sentence_for(facts, kind, lang),
            "advice": app_words(reason.advice_in(facts, lang)),
        }
        for lang in order
    }


# A command an advice names for the person at the simulator, in brackets of either width.
_BRACKETED_COMMAND = re.compile(r"\s*[(（]loancli [^)）]*[)）]")


def app_words(advice: str) -> str:
    """An advice as the app says it to the borrower: without the commands it names for the
    person at the simulator (the borrower's message, "ready to paste", told them to run
    ``loancli support unlock PHONE``; found by a support walk)."""
    return _BRACKETED_COMMAND.sub("", advice)


def _described(name: str, text: object) -> str:
    """A world's description: a file's from the body the record kept, a built-in's by its
    name; else none. A path the state file names is never read (it may come from anyone,
    and the report would print what it found there)."""
    import yaml

    try:
        if isinstance(text, str):
            return _(scenario_from_dict(read_yaml(text, typed=True), name).description)
        return _(builtin_scenario(name).description) if name in builtin_names() else ""
    except (UsageError, ValueError, yaml.YAMLError):
        return ""


def _run_scenarios(runs: list[Run], private: Private) -> list[RunScenario]:
    out: list[RunScenario] = []
    for n, run in enumerate(runs, start=1):
        name = run.get("scenario") or "default"
        out.append(
            {
                "run": n,
                "command": run.get("command"),
                "name": mask_text(name, private),
                "description": mask_text(_described(name, run.get("scenario_text")), private),
            }
        )
    return out


def _clock_scenarios(store: Store, own: str, private: Private) -> list[ClockScenario]:
    """The worlds the file's clock moved in (``journey.session.note_clock_world``) other
    than ``own``, in order."""
    kept = store.meta_get(CLOCK_WORLDS_KEY)
    out: list[ClockScenario] = []
    for entry in kept if isinstance(kept, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("to"), str):
            continue
        given = entry.get("scenario")
        name = given if isinstance(given, str) and given else "default"
        if name != own and not _own_file_as_typed(name, own):
            # The body a file's world kept (by its hash), never the file it names.
            digest = entry.get("text")
            text = (
                store.meta_get(SCENARIO_TEXT_PREFIX + digest) if isinstance(digest, str) else None
            )
            said = mask_text(_described(name, text), private)
            out.append({"to": entry["to"], "name": mask_text(name, private), "description": said})
    return out


def _own_file_as_typed(name: str, own: str) -> bool:
    """Whether ``name``, a clock move's scenario file as a file of an earlier version kept it
    (as typed: ``sub/low.yaml``), is the record's own (kept absolute): the same file name."""
    typed, kept = Path(name), Path(own)
    return (
        bool(typed.suffix)
        and not typed.is_absolute()
        and kept.is_absolute()
        and (typed.name == kept.name)
    )


def _scenario_lines(data: Report) -> list[str]:
    runs = data.get("scenarios") or []
    # One world, said once; two files of one name (a bundle names them so) with two
    # descriptions are two worlds.
    if len({(r["name"], r["description"]) for r in runs}) <= 1:
        scenario = data["scenario"]
        lines = [f"- `{scenario['name']}`: {scenario['description'] or '(no description)'}"]
    else:
        lines = [
            f"- run {r['run']} ({r['command']}): `{r['name']}`: "
            f"{r['description'] or '(no description)'}"
            for r in runs
        ]
    for moved in data.get("clock_scenarios") or []:
        lines.append(
            _("- the clock moved to {to} in `{name}`: {description}").format(
                to=moved["to"], name=moved["name"], description=moved["description"]
            )
        )
    return lines


def _progress_sentence(app: Applicant | Flow) -> str:
    if is_flow(app):
        what = _(FLOW_NAMES.get(app["kind"], app["kind"].replace("_", " ")))
        if app["status"] == "completed":
            return _("The {what} completed.").format(what=what)
        return _("The {what} is in progress at step {step}.").format(what=what, step=app["step"])
    if app["status"] == "completed":
        loan = app.get("loan")
        amount, term = (loan["amount"], loan["term"]) if loan else (None, None)
        on = loan.get("loan_date") if loan else None
        plan = app.get("schedule")
        paid_out = plan.get("paid_out") if plan else None
        if paid_out is not None and paid_out != amount:
            # An up-front fee kept from the payout: the loan is the amount, the card got less.
            return _(
                "The journey completed: a loan of {amount} yuan over {term} months, of which "
                "{paid_out} yuan was paid out on {date} (the up-front fee kept)."
            ).format(amount=amount, term=term, paid_out=paid_out, date=on)
        return _(
            "The journey completed: {amount} yuan over {term} months was paid out on {date}."
        ).format(amount=amount, term=term, date=on)
    return _("The journey is in progress at step {step}.").format(step=app["step"])


# How a report names each flow.
FLOW_NAMES = {
    "change_phone": N_("phone-number change"),
    "card_bind": N_("card binding"),
    "card_unbind": N_("card unbinding"),
    "card_use": N_("repayment card change"),
    "contact_add": N_("emergency-contact update"),
    "contact_remove": N_("emergency-contact removal"),
    "checkout": N_("checkout installment"),
    "login": N_("login"),
    "unlock": N_("account unlock"),
}


# A journey's or flow's status as the report names it (the JSON keeps the code).
RECORD_STATUSES = {
    "in_progress": N_("in progress"),
    "stopped": N_("stopped"),
    "completed": N_("completed"),
    "done": N_("done"),
}


# A loan's status as a report and ``explain`` say it.
LOAN_STATUSES = {"active": N_("active"), "closed": N_("closed")}


def loans_now(
    store: Store, applicant_id: str, today: date, world: WorldSettings | None = None
) -> list[LoanNow]:
    """Each loan of the record as it is on ``today`` under its product's servicing in
    ``world`` (the record's scenario's), in the order of their ids (the loans are not
    written)."""
    world = world or WorldSettings()
    out: list[LoanNow] = []
    loans = sorted(store.find(LOANS, applicant_id=applicant_id), key=lambda x: x["id"])
    for loan in loans:
        servicing = world.product(product_of(loan)).servicing
        catch_up(loan, today, servicing)
        view = loan_view(loan, today)
        held = [e for e in store.find(CREDIT, loan=loan["id"]) if e["status"] == "held"]
        now: LoanNow = {
            "loan": view["loan"],
            "status": view["loan_status"],
            "remaining_principal": view["remaining_principal"],
            "owed_today": view["owed_today"],
            "overdue_installments": view["overdue_installments"],
            "penalty": view["penalty"],
            "penalty_owed": view["penalty_owed"],
            "restructured": view["restructured"],
            "refund_owed": view["refund_owed"],
            "credit_held": sorted(e["id"] for e in held),
            "credit_in_default": sorted(e["id"] for e in held if not e["default_ended_on"]),
        }
        refused = loan_card_refusal(store, loan)
        if refused is not None:
            now["card_refused"] = refused.value
            others = cards_to_move_to(store, loan)
            if others:
                now["other_card"] = others[0]["id"]
        if loan["status"] == "active":
            now["card"] = mask_card(loan["card_number"])
        due = [x for x in loan["lines"] if x["status"] == "due"]
        if due:
            now["unpaid_due"] = {
                "installment": due[0]["n"],
                "due_date": due[0]["due_date"],
                "owed": fmt(owed_total(due[0])),
                "last_day": (overdue_from(due[0], servicing) - timedelta(days=1)).isoformat(),
            }
        out.append(now)
    return out


def _loan_lines(loans: list[LoanNow]) -> list[str]:
    """The loans as the report's markdown says them."""
    lines: list[str] = []
    for x in loans:
        lines.append(
            _("- {loan}: {status}; remaining principal {principal}, owed today {owed}").format(
                loan=x["loan"],
                status=_(LOAN_STATUSES.get(x["status"], "active")),
                principal=x["remaining_principal"],
                owed=x["owed_today"],
            )
        )
        if x["overdue_installments"]:
            lines.append(
                _("  - {n} installment(s) overdue, penalty interest {penalty}").format(
                    n=x["overdue_installments"], penalty=x["penalty_owed"]
                )
            )
        unpaid = x.get("unpaid_due")
        if unpaid and not x["overdue_installments"]:
            lines.append(
                _(
                    "  - installment {n} fell due on {due}, unpaid: no penalty if repaid by {last}"
                ).format(n=unpaid["installment"], due=unpaid["due_date"], last=unpaid["last_day"])
            )
        if x.get("card_refused"):
            lines.append(
                _("  - its card {card} must be bound again ({code})").format(
                    card=x.get("card", ""), code=x["card_refused"]
                )
            )
        if x["restructured"]:
            lines.append(_("  - re-instalmented (协商二次分期): the plan shown is the new one"))
        if x["credit_held"]:
            lines.append(
                _("  - reported to the credit bureau: {entries} held").format(
                    entries=", ".join(x["credit_held"])
                )
            )
        if x["refund_owed"] != "0.00":
            lines.append(
                _("  - refund owed to the borrower: {refund}").format(refund=x["refund_owed"])
            )
    return lines


def to_markdown(data: Report, bundle_command: str | None = None) -> str:
    """Render a report for pasting into a ticket, its headings and sentences in the current
    language (the codes, commands and records as they are). ``bundle_command`` makes its
    bundle (default: ``loancli report ID --bundle ticket.zip``, for the state file in use)."""
    b, o = data["borrower"], data["outcome"]
    kind = data.get("kind", "apply")
    title = (
        _("applicant {id}").format(id=data["id"])
        if kind == "apply"
        else f"{_(FLOW_NAMES.get(kind, kind))} {data['id']}"
    )
    what = _("journey") if kind == "apply" else _("flow")
    lines = [_("# loancli report: {title}").format(title=title), "", _("## Borrower"), ""]
    lines.append(
        _("- Phone: {phone}; name: {name}; ID number: {number}").format(
            phone=b["phone"] or _("not given"),
            name=b["name"] or _("not read"),
            number=b["id_number"] or _("not read"),
        )
    )
    d = b["device"]
    if d and not isinstance(d, dict):  # words a hand-edited file holds: said as they are
        d = {"model": d}
    if d:
        lines.append(
            _("- Device: {maker} {model}, {os}, app {app}, network {network}").format(
                maker=d.get("manufacturer", ""),
                model=d.get("model"),
                os=d.get("os"),
                app=d.get("app_version"),
                network=d.get("network"),
            )
        )
    lines += [
        "",
        _("## Scenario"),
        "",
        *_scenario_lines(data),
        "",
        _("## What happened"),
        "",
    ]
    if o["status"] == "stopped":
        lines.append(
            _("- The {what} **stopped at `{step}`** with reason `{reason}`.").format(
                what=what, step=o["stopped_at"], reason=o["reason"]
            )
        )
    else:
        status = o["status"]
        lines.append(_("- Status: {status}.").format(status=_(RECORD_STATUSES.get(status, status))))
    lines.append(_("- In plain words: {explanation}").format(explanation=o["explanation"]))
    for failure in data["attempts_failed"]:
        lines.append(
            _("- {at}: {event} at `{step}` (`{reason}`)").format(
                at=failure["at"],
                event=failure["event"],
                step=failure["step"],
                reason=failure["reason"],
            )
        )
    loans = data.get("loans")
    if loans:
        lines += ["", _("## The loan now"), "", *_loan_lines(loans)]
        if not o["reason"] and data["support_action"]:  # a stop's advice is said below
            lines += ["", _("What to do: {action}").format(action=data["support_action"])]
    said_in = data["borrower_message"]
    if said_in:
        lines += ["", _("## What to tell the borrower"), ""]
        labels = {"zh": _("中文 (as the app shows it; ready to paste)"), "en": _("English")}
        for lang, said in said_in.items():
            lines += [f"{labels[lang]}:", "", f"> {said['message']}", f"> {said['advice']}", ""]
        if o["reason"]:
            lines.append(_("Reason code: `{reason}`").format(reason=o["reason"]))
    lines += [
        "",
        _("## Timeline"),
        "",
        "| {} |".format(" | ".join([_("at"), _("step"), _("event"), _("reason"), _("detail")])),
        "|---|---|---|---|---|",
    ]
    for row in data["timeline"]:
        # An event in words where it has them (the language of the report), else its detail.
        detail = detail_words(row["event"], row["detail"])
        lines.append(
            f"| {row['at']} | {step_name(row['step']) or row['source']} | {row['event']} | "
            f"{row['reason'] or ''} | {detail.replace('|', '/')} |"
        )
    lines += ["", _("## Reproduce"), ""]
    if data.get("bundle"):
        lines += [
            _("The bundle `{bundle}` replays it on any machine:").format(bundle=data["bundle"]),
            "",
        ]
    else:
        lines += [
            _("Make a bundle with `{command}`; it replays on any machine:").format(
                # A report is pasted into tickets: a state file in a folder named by the
                # borrower's number is masked here as in the runs below.
                command=mask_numbers(bundle_command)
                if bundle_command
                else shlex.join(["loancli", "report", data["id"], "--bundle", "ticket.zip"])
            ),
            "",
        ]
    lines += [
        "```sh",
        data["replay"],
        "```",
        "",
        _(
            "What was done on the account, in the order it was done: the runs (its other "
            "journeys and flows too), the clock moves, repayments and re-instalments (personal "
            "numbers masked):"
        ),
        "",
        "```sh",
        *data["reproduce"],
        "```",
        "",
    ]
    # Pasted into a ticket and shown in terminals: every control or format character the
    # records hold is written as its escape.
    return printable("\n".join(lines), lines=True)
