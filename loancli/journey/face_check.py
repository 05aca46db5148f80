"""The face check: action liveness, then similarity with the face enrolled from the ID card.
Too many failed attempts lock it for the world's liveness lock."""

from __future__ import annotations

from datetime import datetime

from loancli.i18n import _
from loancli.identity.face import ACTION_NAMES
from loancli.journey.core import Journey, Record, Stop, draws_of
from loancli.reasons import Reason
from loancli.records import ACCOUNTS


def face_check(j: Journey, app: Record) -> Stop | None:
    """The step: the face at the camera against the face on the record's ID card."""
    identity = app.get("identity")
    return compare_face(j, app, identity.get("face_id") if identity is not None else None)


def compare_face(j: Journey, app: Record, enrolled: str | None) -> Stop | None:
    """Liveness and similarity with the face ``enrolled`` (None: none on file), within the
    world's attempts; the check locks for the world's liveness lock when they run out."""
    s = j.world.liveness
    account = j.store.get(ACCOUNTS, phone=app["phone"])
    locked = account.get("face_locked_until") if account is not None else None
    if locked and j.clock.now() < datetime.fromisoformat(locked):
        return Stop(Reason.FACE_LOCKED, f"face check locked until {locked}")
    attempts = app.setdefault("attempts", {})
    for attempt in range(1, s.max_attempts + 1):
        attempts["face"] = attempts.get("face", 0) + 1
        requested = j.liveness.challenge(j.rng.derive(draws_of(app), "face", attempts["face"]))
        j.asker.tell(
            _("Face check: please {actions}").format(
                actions=_(", then ").join(_(ACTION_NAMES[a]) for a in requested)
            )
        )
        performed = j.asker.ask("face_actions")
        if performed == "auto":
            performed = list(requested)
        result = j.liveness.verify(requested, performed, attempts["face"], enrolled=enrolled)
        detail = {
            "attempt": attempt,
            "requested": requested,
            "performed": performed,
            "actions_seen": result.actions_ok,
            "similarity": result.similarity,
            "threshold": result.threshold,
        }
        if result.passed:
            j.event(app, "face_passed", **detail)
            return None
        reason = Reason.LIVENESS_FAILED if not result.actions_ok else Reason.FACE_MISMATCH
        j.fail(app, "face_failed", reason, **detail)
    until = (j.clock.now() + s.lock).isoformat()
    j.store.update(ACCOUNTS, {"face_locked_until": until}, phone=app["phone"])
    j.event(app, "face_locked", Reason.ATTEMPTS_EXHAUSTED, until=until)
    return Stop(
        Reason.ATTEMPTS_EXHAUSTED, f"{s.max_attempts} failed attempts; locked until {until}"
    )
