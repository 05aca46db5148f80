"""Runs the steps in order, persists the applicant after each, turns outcomes into a result."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import NotRequired, TypedDict, cast

from loancli.errors import RuleError
from loancli.i18n import _
from loancli.journey import steps
from loancli.journey.core import ApplicantRecord, Journey, PlanRow, Stop, plan_row
from loancli.journey.face_check import face_check
from loancli.journey.flows import (
    discarded_if_untouched,
    require_answers,
    restored_if_untouched,
    run_steps,
)
from loancli.journey.login import login
from loancli.masking import mask_card, private_words, shown_events
from loancli.reasons import Reason
from loancli.records import APPLICANTS, ApplicantStep, Event
from loancli.store import Store

Step = Callable[[Journey, ApplicantRecord], Stop | None]

STEPS: list[tuple[ApplicantStep, Step]] = [
    ("login", login),
    ("profile", steps.profile),
    ("id_upload", steps.id_upload),
    ("face_check", face_check),
    ("authorisations", steps.authorisations),
    ("first_review", steps.first_review),
    ("loan_selection", steps.loan_selection),
    ("card_binding", steps.card_binding),
    ("sms_verification", steps.sms_verification),
    ("disbursement", steps.disbursement),
]
STEP_NAMES: list[ApplicantStep] = [name for name, _ in STEPS]


class StepNotReached(RuleError):
    """A step the applicant's journey has not reached: the steps before it come first (the
    journey is resumed, not skipped ahead)."""

    def __init__(self, applicant_id: str, at: str, step: str) -> None:
        self.applicant_id = applicant_id
        self.at = at
        super().__init__(
            "step",
            _(
                "applicant {applicant_id} is at {value0}; {step} needs the steps before it "
                "first: resume the journey"
            ).format(applicant_id=applicant_id, value0=at, step=step),
        )


def start_journey(j: Journey) -> ApplicantRecord:
    """A new applicant, from the first step."""
    require_answers(j, STEPS)
    with j.store.transaction():
        app = _new_applicant(j)
    with discarded_if_untouched(j, app, "applicant"):
        return _run(j, app, 0)


def _new_applicant(j: Journey) -> ApplicantRecord:
    """The applicant record and its id, stored together (one write)."""
    app: ApplicantRecord = {
        "id": j.store.next_id("applicant", "A"),
        # Journeys and flows in the order they were made (a flow's bundle replays the earlier).
        "seq": j.store.next_seq(),
        "seed": j.rng.seed,
        "created_at": j.clock.isoformat(),
        "status": "in_progress",
        "step": STEP_NAMES[0],
        "stopped_at": None,
        "reason": None,
        "runs": [j.run] if j.run else [],
        "events": [],
    }
    if j.run.get("draws"):
        app["draws"] = j.run["draws"]
    j.save(app)
    return app


def load_applicant(store: Store, applicant_id: str, field: str = "applicant") -> ApplicantRecord:
    """A copy of a stored applicant; a ``RuleError`` naming ``field`` when there is none. An
    id is read as every command reads one: ``a0001`` and `` A0001 `` are A0001."""
    app = store.get(APPLICANTS, id=applicant_id.strip().upper())
    if app is None:
        raise RuleError(
            field,
            _("no applicant {applicant_id!r} in the state file {value0}").format(
                applicant_id=applicant_id, value0=store.path
            ),
        )
    # The record as stored, with what the steps keep beyond records.Applicant.
    return cast(ApplicantRecord, dict(app))


def resume_journey(j: Journey, applicant_id: str) -> ApplicantRecord:
    """Continue a stopped or interrupted journey from the step it stopped at."""
    app = load_applicant(j.store, applicant_id)
    if app["status"] == "completed":
        raise RuleError(
            "applicant",
            _("applicant {applicant_id} has already completed the journey").format(
                applicant_id=applicant_id
            ),
        )
    first = STEP_NAMES.index(app["step"]) if "phone" in app else 0
    require_answers(j, STEPS[first:])
    if "phone" not in app:
        return _run(j, app, 0)
    kept = copy.deepcopy(app)
    if j.run:
        # Its place among what was done on the file (a story of the account replays it there).
        j.run["seq"] = j.store.next_seq()
        app.setdefault("runs", []).append(j.run)
    j.event(app, "resumed", from_step=app["step"], after=app.get("reason"))
    app.update({"status": "in_progress", "stopped_at": None, "reason": None})
    with restored_if_untouched(j, app, kept):
        return _run(j, app, STEP_NAMES.index(app["step"]))


def _run(j: Journey, app: ApplicantRecord, first: int) -> ApplicantRecord:
    return run_steps(j, app, STEPS[first:])


class LoanShown(TypedDict):
    """The loan a completed journey paid out, as its result shows it."""

    amount: str
    term: int
    method: str
    apr: str
    card: str | None
    loan_date: str | None
    repayment_day: int | None
    first_due_date: str | None
    day_count: str | None
    total_interest: str | None
    # A loan with fees: what reached the card, every fee, all it costs beyond the payout and
    # the APR compounded.
    paid_out: NotRequired[str]
    total_fee: NotRequired[str]
    total_cost: NotRequired[str]
    apr_compound: NotRequired[str]


class JourneyResult(TypedDict):
    """The JSON-ready, masked view of an applicant's journey (``apply --json``)."""

    applicant_id: str
    status: str
    stopped_at: str | None
    reason: str | None
    message: str | None
    advice: str | None
    loan: LoanShown | None
    # The plan as made; a view of the loan now (its lines with their status) may stand in.
    schedule: Sequence[PlanRow]
    events: list[Event]


def result_of(app: ApplicantRecord, facts: Mapping[str, str]) -> JourneyResult:
    """The JSON-ready, masked view of an applicant's journey (``apply --json``)."""
    loan = app.get("loan")
    card = app.get("card")
    reason_code = app.get("reason")
    reason = Reason(reason_code) if reason_code else None
    schedule = app.get("schedule")
    out: JourneyResult = {
        "applicant_id": app["id"],
        "status": app["status"],
        "stopped_at": app.get("stopped_at"),
        "reason": app.get("reason"),
        "message": reason.sentence_in(facts) if reason else None,
        "advice": reason.advice_in({**facts, "id": app["id"]}, kind="apply") if reason else None,
        "loan": None,
        "schedule": [],
        "events": shown_events(app.get("events", []), private_words(app)),
    }
    if loan and app["status"] == "completed":
        shown: LoanShown = {
            "amount": loan["amount"],
            "term": loan["term"],
            "method": loan["method"],
            "apr": loan["apr"],
            "card": mask_card(card["number"]) if card else None,
            "loan_date": loan.get("loan_date"),
            "repayment_day": loan.get("repayment_day"),
            "first_due_date": loan.get("first_due_date"),
            "day_count": loan.get("day_count"),
            "total_interest": schedule.get("total_interest") if schedule else None,
        }
        if schedule and Decimal(schedule.get("total_fee", "0")) and "paid_out" in schedule:
            shown["paid_out"] = schedule["paid_out"]
            shown["total_fee"] = schedule["total_fee"]
            shown["total_cost"] = schedule.get("total_cost", "")
            shown["apr_compound"] = schedule.get("apr_compound", "")
        out["loan"] = shown
        lines = schedule.get("installments", []) if schedule else []
        out["schedule"] = [plan_row(line) for line in lines]
    return out


def run_one_step(j: Journey, applicant_id: str, step: str) -> ApplicantRecord:
    """Run a single step for an existing applicant (support: "send the SMS again").

    The step may be the one the journey is at, or one it already passed. Success at the
    journey's current step moves it on (``apply --resume`` continues from there).
    """
    name = next((s for s in STEP_NAMES if s == step), None)
    if name is None:
        raise RuleError(
            "step", _("unknown step; the steps are {value0}").format(value0=", ".join(STEP_NAMES))
        )
    app = load_applicant(j.store, applicant_id)
    if app["status"] == "completed":
        # Re-running a step would change the record of a paid-out loan (disbursement would
        # even pay it out a second time).
        raise RuleError(
            "applicant",
            _(
                "applicant {applicant_id} has already completed the journey; a step cannot be "
                "run again"
            ).format(applicant_id=applicant_id),
        )
    at = STEP_NAMES.index(app["step"])
    wanted = STEP_NAMES.index(name)
    if wanted > at:
        raise StepNotReached(applicant_id, app["step"], name)
    if "phone" not in app and name != "login":
        raise RuleError("step", _("the applicant has not logged in yet; run the login step first"))
    only: list[tuple[ApplicantStep, Step]] = [(name, dict(STEPS)[name])]
    require_answers(j, only)
    kept = copy.deepcopy(app)
    if j.run:
        # The run itself, not a copy: the answers its step took are added to it as it goes.
        j.run["step"] = name
        j.run["seq"] = j.store.next_seq()
        app.setdefault("runs", []).append(j.run)
    status, before, stopped_at, reason = (
        app["status"],
        app["step"],
        app.get("stopped_at"),
        app.get("reason"),
    )
    app.update({"status": "in_progress", "stopped_at": None, "reason": None})
    j.event(app, "step_run", step=name)
    with restored_if_untouched(j, app, kept):
        run_steps(j, app, only, finish=False)
    if app["status"] != "stopped":
        if wanted < at:
            # A step re-run on the way back: the journey stays where it was.
            app.update(
                {"status": status, "step": before, "stopped_at": stopped_at, "reason": reason}
            )
        elif wanted + 1 < len(STEP_NAMES):
            app["step"] = STEP_NAMES[wanted + 1]
        else:
            app.update({"status": "completed", "step": "done"})
            j.event(app, "completed")
        j.save(app)
    return app
