"""Runs the steps in order, persists the applicant after each, turns outcomes into a result."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from loancli.errors import NotFound, UsageError
from loancli.i18n import _
from loancli.journey import steps
from loancli.journey.core import Journey, Stop
from loancli.journey.face_check import face_check
from loancli.journey.flows import discarded_if_untouched, require_answers, run_steps
from loancli.journey.login import login
from loancli.masking import mask_card
from loancli.reasons import Reason
from loancli.records import APPLICANTS
from loancli.store import Store

Step = Callable[[Journey, dict[str, Any]], Stop | None]

STEPS: list[tuple[str, Step]] = [
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
STEP_NAMES = [name for name, _ in STEPS]


def start_journey(j: Journey) -> dict[str, Any]:
    """A new applicant, from the first step."""
    require_answers(j, STEPS)
    with j.store.transaction():
        app = _new_applicant(j)
    with discarded_if_untouched(j, app, "applicant"):
        return _run(j, app, 0)


def _new_applicant(j: Journey) -> dict[str, Any]:
    """The applicant record and its id, stored together (one write)."""
    app: dict[str, Any] = {
        "id": j.store.next_id("applicant", "A"),
        # Journeys and flows in the order they were made (a flow's bundle replays the earlier).
        "seq": int(j.store.next_id("record", "")),
        "seed": j.rng.seed,
        "created_at": j.clock.isoformat(),
        "status": "in_progress",
        "step": STEP_NAMES[0],
        "stopped_at": None,
        "reason": None,
        "runs": [j.run] if j.run else [],
        "events": [],
    }
    j.save(app)
    return app


def load_applicant(store: Store, applicant_id: str, key: str = "applicant") -> dict[str, Any]:
    """A copy of a stored applicant; exit 2 naming ``key`` when there is none."""
    app = store.get(APPLICANTS, id=applicant_id)
    if app is None:
        raise NotFound(
            _("no applicant {applicant_id!r} in the state file {value0}").format(
                applicant_id=applicant_id, value0=store.path
            ),
            key=key,
        )
    return dict(app)


def resume_journey(j: Journey, applicant_id: str) -> dict[str, Any]:
    """Continue a stopped or interrupted journey from the step it stopped at."""
    app = load_applicant(j.store, applicant_id)
    if app["status"] == "completed":
        raise UsageError(
            _("applicant {applicant_id} has already completed the journey").format(
                applicant_id=applicant_id
            ),
            key="applicant",
        )
    first = STEP_NAMES.index(app["step"]) if "phone" in app else 0
    require_answers(j, STEPS[first:])
    if "phone" not in app:
        return _run(j, app, 0)
    if j.run:
        app.setdefault("runs", []).append(j.run)
    j.event(app, "resumed", from_step=app["step"], after=app.get("reason"))
    app.update(status="in_progress", stopped_at=None, reason=None)
    return _run(j, app, STEP_NAMES.index(app["step"]))


def _run(j: Journey, app: dict[str, Any], first: int) -> dict[str, Any]:
    return run_steps(j, app, STEPS[first:])


def result_of(app: dict[str, Any], facts: Mapping[str, str]) -> dict[str, Any]:
    """The JSON-ready, masked view of an applicant's journey (``apply --json``)."""
    loan = app.get("loan")
    card = app.get("card")
    reason = Reason(app["reason"]) if app.get("reason") else None
    schedule = app.get("schedule") or {}
    out: dict[str, Any] = {
        "applicant_id": app["id"],
        "status": app["status"],
        "stopped_at": app.get("stopped_at"),
        "reason": app.get("reason"),
        "message": reason.sentence_in(facts) if reason else None,
        "advice": reason.advice_in(facts) if reason else None,
        "loan": None,
        "schedule": [],
        "events": app.get("events", []),
    }
    if loan and app["status"] == "completed":
        out["loan"] = {
            "amount": loan["amount"],
            "term": loan["term"],
            "method": loan["method"],
            "apr": loan["apr"],
            "card": mask_card(card["number"]) if card else None,
            "loan_date": loan.get("loan_date"),
            "repayment_day": loan.get("repayment_day"),
            "first_due_date": loan.get("first_due_date"),
            "day_count": loan.get("day_count"),
            "total_interest": schedule.get("total_interest"),
        }
        out["schedule"] = [
            {
                k: line[k]
                for k in ("n", "due_date", "principal", "interest", "fee", "total", "remaining")
            }
            for line in schedule.get("installments", [])
        ]
    return out


def run_one_step(j: Journey, applicant_id: str, step: str) -> dict[str, Any]:
    """Run a single step for an existing applicant (support: "send the SMS again").

    The step may be the one the journey is at, or one it already passed. Success at the
    journey's current step moves it on (``apply --resume`` continues from there).
    """
    if step not in STEP_NAMES:
        raise UsageError(
            _("unknown step; the steps are {value0}").format(value0=", ".join(STEP_NAMES)),
            key="step",
        )
    app = load_applicant(j.store, applicant_id)
    if app["status"] == "completed":
        # Re-running a step would change the record of a paid-out loan (disbursement would
        # even pay it out a second time).
        raise UsageError(
            _(
                "applicant {applicant_id} has already completed the journey; a step cannot be "
                "run again"
            ).format(applicant_id=applicant_id),
            key="applicant",
        )
    at = STEP_NAMES.index(app["step"])
    wanted = STEP_NAMES.index(step)
    if wanted > at:
        raise UsageError(
            _(
                "applicant {applicant_id} is at {value0}; {step} needs the steps before it first "
                "(use apply --resume)"
            ).format(applicant_id=applicant_id, value0=app["step"], step=step),
            key="step",
        )
    if "phone" not in app and step != "login":
        raise UsageError(
            _("the applicant has not logged in yet; run the login step first"), key="step"
        )
    require_answers(j, [(step, dict(STEPS)[step])])
    if j.run:
        app.setdefault("runs", []).append({**j.run, "step": step})
    previous = {k: app.get(k) for k in ("status", "step", "stopped_at", "reason")}
    app.update(status="in_progress", stopped_at=None, reason=None)
    j.event(app, "step_run", step=step)
    run_steps(j, app, [(step, dict(STEPS)[step])], finish=False)
    if app["status"] != "stopped":
        if wanted < at:
            # A step re-run on the way back: the journey stays where it was.
            app.update(previous)
        elif wanted + 1 < len(STEP_NAMES):
            app["step"] = STEP_NAMES[wanted + 1]
        else:
            app.update(status="completed", step="done")
            j.event(app, "completed")
        j.save(app)
    return app
