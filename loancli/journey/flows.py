"""Flows other than the loan journey (phone change, checkout, unlock...): each run is a record
in the ``flows`` table with its steps' events, stopped or completed like a journey."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypedDict, TypeVar, Unpack

from loancli.account.hashing import PIN_KEYS, SECRET_KEYS, stand_in
from loancli.errors import (
    AnswersExhausted,
    MissingAnswer,
    MissingAnswers,
    StateError,
    UsageError,
)
from loancli.i18n import _
from loancli.journey.core import (
    ApplicantRecord,
    FlowRecord,
    Journey,
    Stop,
    catch_up_clock,
    move_to,
    save_clock,
    stop_at,
)
from loancli.masking import private_words, shown_events
from loancli.questions import QUESTIONS
from loancli.reasons import Reason
from loancli.records import APPLICANTS, FLOWS, Event

FlowStep = Callable[[Journey, FlowRecord], Stop | None]
# An applicant's journey or a flow: the steps run on the one record type.
R = TypeVar("R", ApplicantRecord, FlowRecord)


class FlowFields(TypedDict, total=False):
    """What a flow is started with, besides its kind (a checkout's order, the account an
    unlock is for, the card or contact a flow acts on)."""

    item: str
    price: str
    periods: int
    phone: str
    card_id: str
    contact_id: str


def run_flow(
    j: Journey, kind: str, steps: Sequence[tuple[str, FlowStep]], **fields: Unpack[FlowFields]
) -> FlowRecord:
    """Run ``steps`` in order on a new flow record; stop at the first Stop."""
    require_answers(j, steps)
    with j.store.transaction():
        record = _new_flow(j, kind, steps[0][0], fields)
    with discarded_if_untouched(j, record, "flow"):
        return run_steps(j, record, steps)


@contextmanager
def discarded_if_untouched(
    j: Journey, record: ApplicantRecord | FlowRecord, counter: str
) -> Iterator[None]:
    """Around the first run of a new record: Ctrl-C before anything happened (at the first
    prompt) leaves nothing behind, neither the empty record nor its id (the next record gets
    it), and no hint to resume a run that never began."""
    try:
        yield
    except KeyboardInterrupt as exc:
        if record.get("events") or "phone" in record:
            raise
        table = FLOWS if counter == "flow" else APPLICANTS
        with j.store.transaction():
            j.store.remove(table, id=record["id"])
            for name, number in ((counter, int(record["id"][1:])), ("record", record["seq"])):
                # Give the id back unless another command took a later one meanwhile.
                if int(j.store.meta_get(f"counter.{name}", 0)) == number:
                    j.store.meta_set(f"counter.{name}", number - 1)
        exc.stopped = None  # type: ignore[attr-defined]
        raise


@contextmanager
def restored_if_untouched(
    j: Journey, record: ApplicantRecord, kept: ApplicantRecord
) -> Iterator[None]:
    """Around a run that goes on with a stored journey (a resume, a step run again): one that
    ends before anything happened but its opening event (an answer missing or refused at its
    first question, Ctrl-C there) leaves the journey as it was, ``kept``: no run, no event (a
    story of the account replays what was done, and that run did nothing)."""
    try:
        yield
    except (KeyboardInterrupt, UsageError):
        opened = len(kept.get("events", [])) + 1
        if len(record.get("events", [])) <= opened and record.get("step") == kept.get("step"):
            with j.store.transaction():
                j.save(kept)
        raise


def require_answers(
    j: Journey, steps: Sequence[tuple[str, Callable[[Journey, R], Stop | None]]]
) -> None:
    """Before anything is written: with no terminal, the first step's answers are there (those
    it always asks, and those it will ask in this world: ``step.needs(j)``), else exit 2
    listing every answer the steps need that is missing (not one per run). A later
    step's missing answer stops the run there, resumable (:func:`run_steps`): a recording of
    a run that stopped early has no answers for the steps it never reached, and replays."""
    if j.cut_short or j.replayed:
        # A replay of a run that ended before its steps did (Ctrl-C at a prompt, in its first
        # step too): it ends where its answers run out, as the run did, never before it starts.
        # A replay of any recorded run: one the world stopped in its first step (a code the
        # gateway would not send) never took that step's later answers; a question the
        # replay reaches that the run never did is a difference it names, not a refusal.
        return
    first: Callable[[Journey, R], Stop | None] = steps[0][1]
    # What the first step needs in this world, beyond what it always asks (a login needs the
    # password of the account the script names, or of the account it opens).
    needs: Callable[[Journey], list[str]] | None = getattr(first, "needs", None)
    now: list[str] = [*j.asker.missing([first]), *(needs(j) if needs else [])]
    if now:
        later: list[str] = list(j.asker.missing(step for _, step in steps[1:]))
        raise MissingAnswers([*now, *(k for k in later if k not in now)])


def _new_flow(j: Journey, kind: str, step: str, fields: FlowFields) -> FlowRecord:
    """The flow record and its id, stored together (one write)."""
    record: FlowRecord = {
        "id": j.store.next_id("flow", "F"),
        # Journeys and flows in the order they were made (a flow's bundle replays the earlier).
        "seq": j.store.next_seq(),
        "kind": kind,
        "created_at": j.clock.isoformat(),
        "status": "in_progress",
        "step": step,
        "stopped_at": None,
        "reason": None,
        "runs": [j.run] if j.run else [],
        "events": [],
    }
    if j.run.get("draws"):
        record["draws"] = j.run["draws"]
    # The flow's own fields, after those every flow has.
    if "item" in fields:
        record["item"] = fields["item"]
    if "price" in fields:
        record["price"] = fields["price"]
    if "periods" in fields:
        record["periods"] = fields["periods"]
    if "phone" in fields:
        record["phone"] = fields["phone"]
    if "card_id" in fields:
        record["card_id"] = fields["card_id"]
    if "contact_id" in fields:
        record["contact_id"] = fields["contact_id"]
    j.save(record)
    return record


def run_steps(
    j: Journey,
    record: R,
    steps: Sequence[tuple[str, Callable[[Journey, R], Stop | None]]],
    finish: bool = True,
) -> R:
    """Run steps in order on a record (an applicant or a flow); a Stop ends the run with its
    reason. A script's answers running out stops on the last failure. With ``finish`` the
    record is completed after the last step.

    Each step is one commit unit: what it did, the step the record goes on to (or its
    completion), and the simulated clock reach the file in one write. So a step that finished
    is never run again on resume, and a kill between two steps loses nothing committed. (A
    run no person answers holds its steps' units in one of its own: ``session.run_flow``.)
    """
    for index, (name, step) in enumerate(steps):
        move_to(record, name)
        j.last_reason = None
        failure: BaseException | None = None
        # One write per step: the step's changes are batched, and kept even if it is
        # interrupted (a person pressing Ctrl-C at a prompt), so it can be resumed.
        with j.store.transaction():
            catch_up_clock(j.store, j.clock)
            try:
                outcome = step(j, record)
            except AnswersExhausted as exc:
                outcome = exhausted_stop(j, exc)
                if outcome is None:
                    failure = UsageError(
                        _("the answers for this question ran out before any retry"), key=exc.key
                    )
            except MissingAnswer as missing:
                # Everything still missing from here on, at once, not one key per run.
                later: list[str] = j.asker.missing(step for _, step in steps[index:])
                key: str | None = missing.key
                failure = MissingAnswers([str(key), *[k for k in later if k != key]])
                outcome = None
            except StateError as exc:
                # The state file refused (a server's connection dropped while a person
                # thought, say): nothing of this step may reach it. A person's earlier steps
                # are each kept, so where to resume rides on the error; a script's run is one
                # unit, and the refusal takes it all back.
                if j.asker.interactive:
                    exc.stopped = (record["id"], name, j.run.get("answers"))  # type: ignore[attr-defined]
                raise
            except BaseException as other:  # noqa: BLE001 - re-raised below, after saving
                failure = other
                outcome = None
            if failure is None and outcome is not None:
                stop_at(record, name, outcome.reason)
                j.event(
                    record,
                    "stopped",
                    outcome.reason,
                    sentence=outcome.reason.sentence_for(j.facts, str(record.get("kind", ""))),
                    detail=outcome.detail,
                )
            elif failure is None and index + 1 < len(steps):
                move_to(record, steps[index + 1][0])
            elif failure is None and finish:
                record.update({"status": "completed", "step": "done"})
                j.event(record, "completed")
            if failure is None:
                # The answers of the steps that finished, as a ticket bundle replays them.
                j.asker.checkpoint()
                j.run["given"] = replayable(j.asker.recording(finished_steps_only=True))
                # Said either way: a run without the key is an older loancli's.
                j.run["interrupted"] = False
            elif j.run:
                # The run ended before its steps did (an answer missing or refused, Ctrl-C):
                # replayed with every answer it took, the cut step's too, it ends there too.
                j.run["given"] = replayable(j.asker.recording())
                j.run["interrupted"] = True
            j.save(record)
            save_clock(j.store, j.clock)
        if failure is not None:
            if isinstance(failure, UsageError):
                # Where the run stopped, for the hint that continues it (``apply --resume``).
                failure.stopped = (record["id"], name, j.run.get("answers"))
            elif isinstance(failure, KeyboardInterrupt):
                # The hint's data rides on the interrupt, which has no field for it.
                failure.stopped = (record["id"], name, j.run.get("answers"))  # type: ignore[attr-defined]
            raise failure
        if outcome is not None:
            return record
    return record


def exhausted_stop(j: Journey, exc: AnswersExhausted) -> Stop | None:
    """Where a script that ran out of retries stops: on the last failure; None when there
    was none, or in a replay of a run cut short at a retry (it ends there, as the run did)."""
    if j.last_reason is None or j.cut_short:
        return None
    return Stop(j.last_reason, f"no more answers for {exc.key}")


def replayable(recording: Mapping[str, object]) -> dict[str, object]:
    """A run's answers as they may be stored and bundled: secrets as stand-ins, and what is
    never written down (a CVV2) as the stand-in a recording keeps, if any."""
    out = dict(recording)
    for key in list(out):
        question = QUESTIONS.get(key)
        if question is not None and not question.recorded:
            if question.recorded_as is None:
                del out[key]
            else:
                out[key] = question.recorded_as
    for key in sorted(SECRET_KEYS):
        if key in out:
            kind = "pin" if key in PIN_KEYS else "password"
            value = out[key]
            values = value if isinstance(value, list) else [value]
            shown = [stand_in(str(v), kind) for v in values]
            out[key] = shown[0] if len(shown) == 1 else shown
    return out


class FlowResult(TypedDict):
    """The JSON-ready view of a flow run (``--json``), before the flow's own view."""

    flow_id: str
    kind: str
    status: str
    stopped_at: str | None
    reason: str | None
    message: str | None
    advice: str | None
    events: list[Event]


def flow_result(record: FlowRecord, facts: Mapping[str, str]) -> FlowResult:
    """The JSON-ready view of a flow run (masked: events are masked when recorded, a photo's
    file name as it is shown)."""
    reason_code = record.get("reason")
    reason = Reason(reason_code) if reason_code else None
    return {
        "flow_id": record["id"],
        "kind": record["kind"],
        "status": record["status"],
        "stopped_at": record.get("stopped_at"),
        "reason": record.get("reason"),
        "message": reason.sentence_for(facts, record["kind"]) if reason else None,
        "advice": (
            reason.advice_in({**facts, "id": record["id"]}, kind=record.get("kind"))
            if reason
            else None
        ),
        "events": shown_events(record.get("events", []), private_words(record)),
    }
