"""A record's story: the runs that made an applicant or a flow, then the clock moves,
repayments and re-instalments of its loans, as the actions of a story whose expectations are
what the record holds now (``loancli story from ID``; a ticket bundle carries it).

Ids are those a fresh world gives when the story is played: the records its runs make are
numbered again in the order they were made (A0001, F0001...), so a walkthrough made on a busy
state file replays on an empty one.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

import msgspec
import yaml

from loancli.account.hashing import stand_in
from loancli.api import operations
from loancli.asking import yaml_text
from loancli.clock import parse_datetime
from loancli.errors import UsageError
from loancli.files import private_folders, write_private
from loancli.i18n import _
from loancli.identity.photo import read_photo
from loancli.journey.core import draws_of
from loancli.journey.session import (
    CLOCK_WORLDS_KEY,
    SCENARIO_TEXT_PREFIX,
    SERVICING_WORLDS_KEY,
    servicing_world,
)
from loancli.journey.texts import SMS_MARKS
from loancli.loan.bureau import entries_about
from loancli.loan.loans import id_order, loan_view, newest_loan
from loancli.masking import Private, mask_numbers, mask_phone, mask_text
from loancli.reasons import Reason
from loancli.records import (
    ACCOUNTS,
    APPLICANTS,
    CREDIT,
    FLOWS,
    LOANS,
    Account,
    Applicant,
    CreditEntry,
    Flow,
    Loan,
    Objection,
    PhoneChange,
    Run,
    RunAction,
)
from loancli.store import Store
from loancli.stories.format import (
    STORY_FORMAT,
    ClockAdvance,
    ClockMoveAction,
    ClockSet,
    Complaint,
    CreditEntryExpect,
    CreditExpect,
    EventExpect,
    Expect,
    ForgetDevice,
    InstallmentExpect,
    LoanExpect,
    Object,
    Person,
    Repay,
    Restructure,
    SmsExpect,
    Story,
    StoryAction,
    StoryWorld,
    TrustDevice,
    TwoStep,
)
from loancli.stories.populate import IMAGES_PREFIX
from loancli.stories.runner import BUILTIN_IMAGES, scenario_text_problem
from loancli.support.pseudonym import (
    answers_print,
    inline_builtin_scenarios,
    kept_secrets_rekeyed,
    pseudonymise,
)
from loancli.support.reporting import is_flow, masked_values, private_of, resolve
from loancli.validation import check_money
from loancli.world.providers.sms import arrived
from loancli.world.scenario import builtin_names, builtin_scenario, scenario_from_dict

IMAGE_KEYS = ("id_front", "id_back", "income_proof")


@dataclass(frozen=True)
class Told:
    """A record's story, told once for all who need it: the story and its actions'
    expectations, its runs in its order (each with its record and the id the record has in
    a fresh world), and the ids of the account's loans and credit entries in a fresh world."""

    story: Story
    expects: dict[int, Expect]
    runs: list[tuple[Applicant | Flow, Run, str]]
    renumbered: dict[str, str]
    # The setup runs of another account (a login that opens it on a number a run found
    # taken, a phone change that gives the number up): each action's place in the story,
    # and its command's words (masked).
    other_words: dict[int, list[str]] = field(default_factory=dict)


def tell(store: Store, record_id: str, image: Callable[[str], str] | None = None) -> Told:
    """The story of a journey or flow and its loans, and what goes with it (:class:`Told`).
    ``image`` turns an uploaded image's path into what the story names it by (default: the
    path as it is).

    The account's other journeys and flows, before the record and after it, come along as
    setup (the login that trusted the device, the card unbound after the loan): everything
    done on the account, its runs, repayments, re-instalments and objections, in the order it
    was done (each carries its place in the file's order, :meth:`Store.next_seq`), with the
    clock moved between them as it was."""
    record = resolve(store, record_id)
    if not record.get("runs"):
        raise UsageError(
            _("{value0} has no runs recorded; nothing to make a story of").format(
                value0=record["id"]
            ),
            key="record",
        )
    holders = _Holders(store)
    involved = account_records(store, record, holders)
    done = _runs_done(involved)
    # The other accounts a run found on a number (a phone change refused phone_taken): each
    # is opened by a login just before the first such run, as the story's setup, and then
    # changes its number whenever its holder did (it may give the number up, take it back);
    # each numbered with the records, in the order the story makes them.
    others = _other_accounts(store, holders, done, holders.owner(record))
    making = sorted(
        [
            *(
                item
                for key, (other, run) in done
                for item in [
                    *((key, 0, opening.id) for opening in others.openings.get(id(run), [])),
                    (key, 1, other["id"]),
                ]
            ),
            *((key, 0, change.id) for key, change in others.changes),
        ],
        key=lambda item: item[:2],
    )
    fresh = _fresh_ids([rid for _key, _sub, rid in making])
    loans = {r["id"]: store.find(LOANS, applicant_id=r["id"]) for r in involved}
    entries = _credit_entries(store, involved)
    # Each record's last run began (for an objection an older loancli kept only the day of).
    ran = {other["id"]: datetime.fromisoformat(run["clock"]) for _key, (other, run) in done}
    world = _world_of(record["runs"][-1])
    acts = sorted(
        [
            *((key, act) for key, act in done),
            *_servicing(store, world, [loan for mine in loans.values() for loan in mine], fresh),
            *_objections(store, world, entries, fresh, ran),
            *_device_changes(holders.owner(record)),
            *others.changes,
        ],
        key=lambda item: item[0],
    )
    worlds = _clock_worlds(store, world)
    # The story starts when its first run did; what came later comes after the clock moves
    # that brought it there, each in its world (a team's world is rarely at the default
    # start).
    clock = datetime.fromisoformat(done[0][1][1]["clock"])
    world = msgspec.structs.replace(world, clock=clock)
    actions: list[StoryAction] = []
    # The other accounts' actions: their places in the story, and their commands' words.
    other_words: dict[int, list[str]] = {}
    own_last = 0  # the record's last run: where its outcome is expected
    setup_last: dict[int, Applicant | Flow] = {}  # the other records' last runs
    for (at, _placed, _order, _sub), act in acts:
        if at > clock:
            actions += _clock_moves(clock, at, worlds)
            clock = at
        if isinstance(act, tuple):
            other, run = act
            replayed = run_action(run, other, fresh, image, setup=other is not record)
            for opening in others.openings.get(id(run), []):
                other_words[len(actions)] = opening.words()
                actions.append(opening.action(fresh, replayed.lang))
            actions.append(replayed)
            if other is record:
                own_last = len(actions) - 1
            elif run is (other.get("runs") or [run])[-1]:
                # The account's other records end as they ended where it was recorded: a
                # setup run that ends otherwise in the replay is said where it did.
                setup_last[len(actions) - 1] = other
        elif isinstance(act, _NumberChange):
            other_words[len(actions)] = act.words()
            actions.append(act.action(fresh))
        else:
            actions.append(act)
    # Each of the other accounts' runs completed where the story was recorded: one that does
    # not in the replay is said where it happened, not at a later run it misleads.
    expects = {index: Expect(status="completed") for index in other_words}
    expects |= {index: Expect(status=other["status"]) for index, other in setup_last.items()}
    expects |= {
        own_last: Expect(
            status=record["status"],
            stopped_at=record.get("stopped_at"),
            reason=record.get("reason"),
            events=_flow_events(record),
        )
    }
    now = store.meta_get("clock")
    if now and datetime.fromisoformat(now) > clock:
        actions += _clock_moves(clock, datetime.fromisoformat(now), worlds)
    if loans[record["id"]]:
        newest = newest_loan(loans[record["id"]])
        # Named by its owner: the account's other records may have loans of their own.
        owner = fresh.get(record["id"], record["id"])
        expects[len(actions) - 1] = _merge(
            expects.get(len(actions) - 1), _loan_expect(newest, now, owner)
        )
    # What the bureau holds about the record's borrower (every loan of the account), as
    # credit-report and the story's check count it.
    about = {x["id"] for x in entries_about(store, record)}
    credit = _credit_expect({k: v for k, v in entries.items() if v["id"] in about})
    if credit is not None:
        last = expects.get(len(actions) - 1) or Expect()
        expects[len(actions) - 1] = msgspec.structs.replace(last, credit=credit)
    sms = _sms_expect(store, holders.owner(record), now)
    if sms:
        last = expects.get(len(actions) - 1) or Expect()
        expects[len(actions) - 1] = msgspec.structs.replace(last, sms=sms)
    story = Story(
        story=STORY_FORMAT,
        name=record["id"].lower(),
        title=_("What happened to {id}").format(id=fresh.get(record["id"], record["id"])),
        complaint=Complaint(),
        world=world,
        person=Person(answers={}),
        actions=actions,
    )
    _check_kept_scenarios(store, story)
    runs = [(other, run, fresh[other["id"]]) for _key, (other, run) in done]
    made = [loan["id"] for mine in loans.values() for loan in mine]
    return Told(story, expects, runs, _renumbered(made, entries), other_words)


def _check_kept_scenarios(store: Store, story: Story) -> None:
    """The scenario bodies the file kept, as the story carries them: one damaged by hand is
    the file's fault (exit 4), not a story or ticket to be refused when read (a report's
    bundle blamed --bundle, and story from wrote a story check refused: found by a
    hostile-input hunt)."""
    kept = [("world.scenario_text", story.world.scenario_text)]
    kept += [
        (f"actions[{n}].scenario_text", getattr(action, "scenario_text", None))
        for n, action in enumerate(story.actions)
    ]
    for at, text in kept:
        problem = scenario_text_problem(text, at)
        if problem is not None:
            raise store.corrupt(
                _("a scenario it keeps cannot be read ({problem})").format(problem=problem)
            )


def _flow_events(record: Applicant | Flow) -> list[EventExpect]:
    """What a flow of one run recorded, each kind of event once, as its story expects it (a
    login that passed two-step verification passes it again: without the device changes
    before it, its story still completed). A journey's runs share one event list: none."""
    if not is_flow(record) or len(record.get("runs", [])) != 1:
        return []
    kinds = dict.fromkeys(e["event"] for e in record.get("events", []))
    return [EventExpect(event=kind) for kind in kinds]


def _sms_expect(store: Store, account: Account | None, now: str | None) -> list[SmsExpect]:
    """Each kind of the lender's messages (a reminder, a failed debit, a notice...) that each
    of the account's numbers received by ``now`` while the account held it, as an
    expectation: a message the lender stops sending, or sends to the wrong number, is then
    found missing (what a number got once another account held it is that account's). Which
    number a message went to does not depend on how the clock moved: every writer given a
    later ``--clock`` brings the world there first, as the story's clock moves do."""
    if account is None:
        return []
    held: list[tuple[str, datetime, datetime | None]] = []
    since = datetime.fromisoformat(account["created_at"])
    for change in account.get("phone_history", []):
        until = datetime.fromisoformat(change["until"])
        held.append((change["phone"], since, until))
        since = until
    held.append((account["phone"], since, datetime.fromisoformat(now) if now else None))
    out: dict[tuple[str, str], SmsExpect] = {}
    for phone, start, end in held:
        texts = [
            m["text"]
            for m in arrived(store, phone, end)
            if datetime.fromisoformat(m["arrives_at"]) >= start
        ]
        for mark in SMS_MARKS.values():
            if any(mark in text for text in texts):
                out.setdefault((phone, mark), SmsExpect(to=phone, text=re.escape(mark)))
    return list(out.values())


def _renumbered(loans: Sequence[str], entries: Mapping[str, CreditEntry]) -> dict[str, str]:
    ordered = sorted(loans, key=id_order)
    fresh = {old: f"L{n:04d}" for n, old in enumerate(ordered, start=1)}
    return {**fresh, **{entry["id"]: new for new, entry in entries.items()}}


# Where something done on the file falls in a story: (when, 0 if it has a place in the
# file's order else 1, that place, then a tie-break). What an older loancli did without a
# place keeps the order it had: a record's runs one after another, where the record was
# made; repayments after the runs of their instant.
_Order = tuple[datetime, int, int, int]


def _placed(at: datetime, place: int | None, n: int = 0) -> _Order:
    """Where something done at ``at`` goes: by its place among what was done on the file
    (``seq``), else after what has one at that time (an older loancli's)."""
    return (at, 0, place, n) if place else (at, 1, 0, n)


def _runs_done(
    involved: Sequence[Applicant | Flow],
) -> list[tuple[_Order, tuple[Applicant | Flow, Run]]]:
    """The runs of the account's records, in the order they were made."""
    done: list[tuple[_Order, tuple[Applicant | Flow, Run]]] = []
    for made, other in enumerate(involved):
        runs = other.get("runs") or []
        for n, run in enumerate(runs):
            # An older run without a place: its record's, after its record's earlier runs.
            order = int(run.get("seq") or other.get("seq") or made)
            at = datetime.fromisoformat(run["clock"])
            done.append(((at, 0, order, n), (other, run)))
    return sorted(done, key=lambda item: item[0])


def world_commands(
    store: Store,
    story: Story,
    scenario: str,
    runs: Sequence[str],
    private: Private = (),
    other_words: Mapping[int, list[str]] | None = None,
) -> list[str]:
    """The story's clock moves, repayments, re-instalments and objections as the commands
    that made them, on the state file its runs' commands make (``repro.json``): each in the
    world it was made in (``scenario``, the runs' last, where it names none), masked as a
    report shows paths and words (an objection's reason: the borrower's ``private`` words).
    With ``runs`` (the commands of the story's runs, in its order, :attr:`Told.runs`), each
    run's command in its place among them; ``other_words`` (:attr:`Told.other_words`), the runs of
    the other accounts a run found on a number (their logins and phone changes)."""
    refs = {text: name for _to, name, text in _kept_worlds(store) if text}
    other_words = other_words or {}
    pending = iter(runs)
    out = []
    for index, action in enumerate(story.actions):
        words: list[str]
        match action:
            case ClockSet(to=to):
                words = ["clock", "set", to.isoformat()]
            case ClockAdvance(by=by):
                words = ["clock", "advance", by]
            case Repay(loan=loan, installment=n, amount=amount):
                how = ["--amount", amount] if amount else ["--all"]
                words = ["repay", loan, *(["--installment", str(n)] if n else how)]
            case Restructure(loan=loan, term=term):
                words = ["restructure", loan, "--term", str(term)]
            case Object(loan=loan, entry=entry, reason=reason):
                words = ["credit-report", loan, "--object", entry, "--reason", reason]
            # What ``device`` did to the account (its number masked: the report is read by
            # people; the bundle's story carries it whole).
            case TrustDevice(account=account, model=model):
                words = ["device", "trust", mask_numbers(account), model]
            case ForgetDevice(account=account, model=model):
                words = ["device", "forget", mask_numbers(account), model]
            case TwoStep(account=account, mode=mode):
                words = ["device", "two-step", mask_numbers(account), "--mode", mode]
            case operations.Login() | operations.ChangePhone() if index in other_words:
                words = other_words[index]
            case _:
                said = next(pending, None)
                if said is not None:
                    out.append(said)
                continue
        world = scenario
        # A clock move, or another account's run, in the world it was made in.
        named: ClockMoveAction | operations.Action | None = None
        if isinstance(action, ClockMoveAction) or (
            index in other_words and isinstance(action, operations.Action)
        ):
            named = action
        if named is not None and named.scenario_text is not None:
            world = refs.get(named.scenario_text, world)
        elif named is not None and named.scenario is not None:
            world = named.scenario
        command = ["loancli", "--db", "repro.json", "--scenario", world, *words]
        out.append(shlex.join(masked_values(command, private)))
    return out


def _clock_worlds(store: Store, story_world: StoryWorld) -> list[tuple[datetime, dict[str, str]]]:
    """The worlds the clock moved in, each with the time its moves reached and the fields a
    story's clock move names it by: none for the story's own world (its moves need not say
    it, nor carry its text again), nor for a file whose body was not kept."""
    return [
        (reached, _world_fields(name, text, story_world))
        for reached, name, text in _kept_worlds(store)
    ]


def _world_fields(name: str, text: str | None, story_world: StoryWorld) -> dict[str, str]:
    """The fields a story's action names a world by (a built-in's name, or a file's body):
    none for the story's own, nor for a file whose body was not kept."""
    fields: dict[str, str] = {}
    if text:
        if text != story_world.scenario_text:
            fields["scenario_text"] = text
    elif name in builtin_names():
        if story_world.scenario_text is not None or name != story_world.scenario:
            fields["scenario"] = name
    return fields


def _kept_worlds(store: Store) -> list[tuple[datetime, str, str | None]]:
    """The state file's clock-move worlds: (time reached, the scenario as named, a file's
    body where it was kept), in order."""
    kept = store.meta_get(CLOCK_WORLDS_KEY)
    out = []
    for entry in kept if isinstance(kept, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("to"), str):
            continue
        try:
            # As every time the file holds is read: naive is Beijing time.
            reached = parse_datetime(entry["to"])
        except ValueError:
            continue  # a time that is none (2026-02-30, edited by hand): no world kept
        name = entry.get("scenario")
        body = _kept_text(store, entry.get("text"))
        out.append((reached, name if isinstance(name, str) else "", body))
    return out


def lost_image_hint(path: str) -> str:
    """What an unreadable image's refusal adds where populate drew it (into a temporary
    folder it removed); else nothing."""
    if not Path(path).parent.name.startswith(IMAGES_PREFIX):
        return ""
    return _(
        "; populate drew them into a temporary folder it removed: fill the world "
        "again with populate --images DIR to keep them"
    )


def _kept_text(store: Store, digest: object) -> str | None:
    """A scenario file's body the state file keeps under its hash (None: none kept)."""
    text = store.meta_get(SCENARIO_TEXT_PREFIX + str(digest)) if digest else None
    return text if isinstance(text, str) and text else None


def _clock_moves(
    start: datetime, end: datetime, worlds: list[tuple[datetime, dict[str, str]]]
) -> list[StoryAction]:
    """The clock moved from ``start`` to ``end`` as it was: a move to where each world's moves
    reached, in that world, and the last in the world it was moved in last (the story's, in
    a file that kept none)."""
    moves: list[StoryAction] = []
    for reach, fields in worlds:
        if reach <= start:
            continue
        if reach >= end:
            break
        moves.append(ClockSet(to=reach, **fields))
        start = reach
    later = [fields for reach, fields in worlds if reach >= end]
    last = later[0] if later else (worlds[-1][1] if worlds else {})
    moves.append(ClockSet(to=end, **last))
    return moves


def _world_of(run: Run) -> StoryWorld:
    """The story's world: the one its last run ran in. Its repayments and re-instalments
    happen there, and so do its clock moves in a file that kept no clock move's world (one
    made before they were kept; the commands after a journey are most often given the
    journey's)."""
    text = run.get("scenario_text")
    if text:
        return StoryWorld(scenario_text=text)
    scenario = str(run.get("scenario") or "default")
    if scenario != "default" and scenario in builtin_names():
        return StoryWorld(scenario=scenario)
    return StoryWorld()


def account_records(
    store: Store, record: Applicant | Flow, holders: _Holders | None = None
) -> list[Applicant | Flow]:
    """The record and its account's other journeys and flows, in the order they were made.
    A journey follows its account to each new number (a phone change moves it); a flow keeps
    the number it ran on, and is the account's if the account had that number then: a
    number given up and opened again by someone else is another account's from then on."""
    holders = holders or _Holders(store)
    owner = holders.owner(record)
    if owner is None:
        return [record]
    numbers = [owner["phone"], *(h["phone"] for h in owner.get("phone_history", []))]
    mine: dict[str, Applicant | Flow] = {record["id"]: record}
    for number in numbers:
        found: list[Applicant | Flow] = [
            *store.find(APPLICANTS, phone=number),
            *store.find(FLOWS, phone=number),
        ]
        for other in found:
            if other["id"] in mine:  # the record itself, or one met on an earlier number
                continue
            held = holders.owner(other)
            if held is not None and held["phone"] == owner["phone"]:
                mine[other["id"]] = other
    return sorted(mine.values(), key=_made)


class _Holders:
    """Whose account a journey or flow was: a journey's is the one its number is now (it
    follows its account); a flow's, the account that had its number when it ran, told by
    the file's order (the change that gave the number up, by its ``seq``), else by time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._former: dict[str, list[tuple[PhoneChange, Account]]] | None = None
        # The account each number is now, and the place of each flow that gave one up.
        self._now: dict[str, Account | None] = {}
        self._released: dict[str, int | None] = {}

    def owner(self, record: Applicant | Flow) -> Account | None:
        phone = record.get("phone")
        if not phone:
            return None
        if is_flow(record):
            for change, account in self.former(phone):
                if self._before(record, change):
                    return account
        if phone not in self._now:
            self._now[phone] = self.store.get(ACCOUNTS, phone=phone)
        return self._now[phone]

    def former(self, phone: str) -> list[tuple[PhoneChange, Account]]:
        """The accounts that gave ``phone`` up, in the order they did (read once)."""
        if self._former is None:
            self._former = {}
            for account in self.store.all(ACCOUNTS):
                for change in account.get("phone_history", []):
                    self._former.setdefault(change["phone"], []).append((change, account))
            for changes in self._former.values():
                changes.sort(key=lambda item: datetime.fromisoformat(item[0]["until"]))
        return self._former.get(phone, [])

    def release_place(self, flow_id: str | None) -> int | None:
        """The place (``seq``) of the flow that gave a number up (read once)."""
        if not flow_id:
            return None
        if flow_id not in self._released:
            flow = self.store.get(FLOWS, id=flow_id)
            self._released[flow_id] = flow.get("seq") if flow is not None else None
        return self._released[flow_id]

    def _before(self, record: Applicant | Flow, change: PhoneChange) -> bool:
        """Did ``record`` run before ``change`` gave its number up (the change included)?"""
        released = self.release_place(change.get("flow"))
        made = record.get("seq")
        if released and made:
            return made <= released
        return datetime.fromisoformat(record["created_at"]) <= datetime.fromisoformat(
            change["until"]
        )


def _made(record: Applicant | Flow) -> tuple[int, str, str]:
    """When a record was made: its creation number (older files: its time, then its id)."""
    return (record.get("seq", 0), record["created_at"], record["id"])


def action_of_words(run: Run, record: Applicant | Flow) -> RunAction | None:
    """The action of a run recorded by a loancli that kept command words (``argv``): read by
    their fixed shapes, never executed; None for anything else."""
    if run.get("step"):
        return RunAction(action="step", applicant=record["id"], step=run["step"])
    words = [str(w) for w in run.get("argv") or str(run.get("command", "apply")).split()]
    if words == ["apply"]:
        resumed = run.get("resume")
        return (
            RunAction(action="resume", applicant=resumed) if resumed else RunAction(action="apply")
        )
    simple = {
        ("account", "change-phone"): "change_phone",
        ("card", "bind"): "bind_card",
        ("contacts", "add"): "add_contact",
        ("login",): "login",
    }
    if tuple(words) in simple:
        return RunAction(action=simple[tuple(words)])
    with_id: dict[tuple[str, str], tuple[str, Literal["card", "contact", "phone"]]] = {
        ("card", "unbind"): ("unbind_card", "card"),
        ("contacts", "remove"): ("remove_contact", "contact"),
        ("support", "unlock"): ("unlock", "phone"),
    }
    if len(words) == 3 and tuple(words[:2]) in with_id:
        kind, name = with_id[(words[0], words[1])]
        found = RunAction(action=kind)
        found[name] = words[2]
        return found
    if words[:1] == ["checkout"]:
        options = dict(zip(words[1::2], words[2::2], strict=False))
        if len(words) % 2 == 1 and set(options) <= {"--item", "--price", "--periods"}:
            return RunAction(
                action="checkout",
                item=options.get("--item", ""),
                price=options.get("--price", ""),
                periods=int(options.get("--periods", "12")),
            )
    return None


def _fresh_ids(ids: list[str]) -> dict[str, str]:
    """Each record's id in a fresh world: numbered again in the order the runs made them."""
    out: dict[str, str] = {}
    counts = {"A": 0, "F": 0}
    for rid in ids:
        if rid in out:
            continue
        kind = rid[0]
        counts[kind] = counts.get(kind, 0) + 1
        out[rid] = f"{kind}{counts[kind]:04d}"
    return out


def run_action(
    run: Run,
    record: Applicant | Flow,
    fresh: dict[str, str],
    image: Callable[[str], str] | None,
    setup: bool = False,
) -> operations.AnyAction:
    """One recorded run as the action that replays it (ids as a fresh world gives them; an
    uploaded image named by ``image``)."""
    if "given" not in run:
        raise UsageError(
            _(
                "{value0} was run by an older loancli that kept no answers; run it again to make "
                "a bundle or a story"
            ).format(value0=record["id"]),
            key="record",
        )
    recorded = run.get("action") or action_of_words(run, record)
    if recorded is None:
        raise UsageError(
            _(
                "a run of {value0} was made by an older loancli whose command cannot be read as "
                "an action; run it again to make a bundle or a story"
            ).format(value0=record["id"]),
            key="record",
        )
    fields: dict[str, object] = dict(recorded)
    if fields.get("action") == "checkout":
        # A price recorded as typed by an older loancli (2499元, 1.5万): as it was read.
        fields["price"] = _price_read(fields.get("price"))
    applicant = recorded.get("applicant")
    if applicant is not None:
        fields["applicant"] = fresh.get(applicant, applicant)
    answers = dict(run["given"])
    for key in IMAGE_KEYS:
        if key in answers and image is not None:
            values = answers[key] if isinstance(answers[key], list) else [answers[key]]
            named = [image(str(v)) if v else v for v in values]
            answers[key] = named[0] if len(named) == 1 else named
    scenario = str(run.get("scenario") or "default")
    text = run.get("scenario_text")
    replayed_as = fresh.get(record["id"], record["id"])
    world: dict[str, object] = {
        "record": replayed_as,
        "lang": run.get("lang", "en"),
        "answers": answers,
    }
    if run.get("seed"):
        world["seed"] = run["seed"]  # 0 is the story's world's, said once there
    if setup:
        world["setup"] = True
    # Numbered otherwise in the replay: its draws keyed by the id they were keyed by here.
    if draws_of(record) != replayed_as:
        world["draws"] = draws_of(record)
    # Ended before its steps did: marked so; a run of an older loancli, which said neither,
    # when it is the record's last and the record is still in progress.
    runs = record.get("runs") or []
    last = bool(runs) and runs[-1] is run
    older = "interrupted" not in run
    if run.get("interrupted") or (older and last and record.get("status") == "in_progress"):
        world["interrupted"] = True
    if text:
        world["scenario_text"] = text  # a path never travels: the file's body does
    elif scenario in builtin_names():
        world["scenario"] = scenario
    elif scenario != "default":
        raise UsageError(
            _(
                "the scenario file of a run of {value0} was not kept; run it again to make a "
                "bundle or a story"
            ).format(value0=record["id"]),
            key="record",
        )
    try:
        action: operations.AnyAction = msgspec.convert({**fields, **world}, operations.AnyAction)
    except msgspec.ValidationError as exc:
        raise UsageError(
            _(
                "a run of {value0} holds a command a story cannot carry ({value1}); run it "
                "again to make a bundle or a story"
            ).format(value0=record["id"], value1=exc),
            key="record",
        ) from None
    return action


def _numbers_taken(
    done: Sequence[tuple[_Order, tuple[Applicant | Flow, Run]]],
) -> list[tuple[_Order, Run, str, str | None]]:
    """Each number a run of the story found held by another account (a phone change's new
    number refused ``phone_taken``), with the run and its place, in the story's order, and
    the stand-in of the password of the account a scenario of the story's runs so far
    presets on it (which holds it in the replay too), if one does."""
    # Each number a record's runs entered, matched one by one to the system's checks of
    # them (its events, in order): a number is taken where its own check said so (two
    # numbers may mask alike).
    verdicts: dict[int, list[tuple[str, bool]]] = {}
    for record in {id(r): r for _key, (r, _run) in done}.values():
        checks = [e for e in record.get("events", []) if e["event"] in _NUMBER_CHECKS]
        entered = [(run, number) for run in record.get("runs") or [] for number in _entered(run)]
        for (run, number), check in zip(entered, checks, strict=False):
            taken = (
                check["event"] == "new_phone_refused"
                and check.get("reason") == Reason.PHONE_TAKEN
                and check["detail"].get("new_phone") == mask_phone(number)
            )
            verdicts.setdefault(id(run), []).append((number, taken))
    out: list[tuple[_Order, Run, str, str | None]] = []
    if not any(taken for found in verdicts.values() for _number, taken in found):
        return out  # no number taken: no scenario read, no stand-in derived
    preset: dict[str, str] = {}
    for key, (_record, run) in done:
        preset |= _preset_accounts(run)
        for number, taken in verdicts.get(id(run), []):
            if taken:
                # Each as a recorded run keeps a password it typed (a ticket and a story
                # inline the scenario with its presets' passwords so): the replay logs in
                # with it. A slow derivation: only for a number a preset holds.
                password = preset.get(number)
                out.append((key, run, number, None if password is None else stand_in(password)))
    return out


# The events of the system's check of a new number: refused (with the reason), or usable.
_NUMBER_CHECKS = ("new_phone_refused", "new_phone_usable")


def _entered(run: Run) -> list[str]:
    """The new numbers a run's answers entered, in order."""
    given = run.get("given", {}).get("new_phone")
    return [str(n) for n in (given if isinstance(given, list) else [given] if given else [])]


def _preset_accounts(run: Run) -> dict[str, str]:
    """The accounts a run's scenario presets (each opened before the run, if its number is
    free): the password of each, by its number."""
    text = run.get("scenario_text")
    try:
        if text:
            scenario = scenario_from_dict(yaml.safe_load(text), "scenario_text")
        elif str(run.get("scenario") or "default") in builtin_names():
            scenario = builtin_scenario(str(run.get("scenario") or "default"))
        else:
            return {}
    except (UsageError, yaml.YAMLError):
        return {}  # the run's own action is refused for it, with its reason
    return {account.phone: account.password for account in scenario.accounts}


# The password the story's other accounts are opened with: made up, never anyone's.
OTHER_ACCOUNT_PASSWORD = "other-account-pw"


@dataclass(frozen=True)
class _Opening:
    """Another account, opened on ``number`` for the story (the ``n``-th it opens)."""

    number: str
    n: int

    @property
    def id(self) -> str:
        """Where it is numbered among the records (never a real id)."""
        return f"F-other-{self.n}"

    def action(
        self, fresh: Mapping[str, str], lang: Literal["en", "zh"] | None
    ) -> operations.Login:
        """The login that opens it: in the default world (a scenario may reproduce a command
        that is no login; only that the account holds the number matters)."""
        return operations.Login(
            record=fresh[self.id],
            setup=True,
            lang=lang,
            scenario="default",
            answers={"phone": self.number, "password": OTHER_ACCOUNT_PASSWORD},
        )

    def words(self) -> list[str]:
        phone = mask_numbers(self.number)
        return ["--no-input", "login", "--set", f"phone={phone}", "--set", "password=<hidden>"]


@dataclass(frozen=True)
class _NumberChange:
    """An account the story opened changes its number ``phone`` to ``new_phone``, as its
    holder did where the story was recorded, in that change's world (``world``: the
    fields an action names it by)."""

    phone: str
    new_phone: str
    id: str
    world: Mapping[str, str]
    password: str = OTHER_ACCOUNT_PASSWORD

    def action(self, fresh: Mapping[str, str]) -> operations.ChangePhone:
        fields: dict[str, object] = {
            "action": "change_phone",
            "record": fresh[self.id],
            "setup": True,
            **self.world,
            "answers": {
                "phone": self.phone,
                "password": self.password,
                "new_phone": self.new_phone,
                "identity_method": "sms",
                "old_phone_code": "auto",
                "new_phone_code": "auto",
            },
        }
        return msgspec.convert(fields, operations.ChangePhone)

    def words(self) -> list[str]:
        old, new = mask_numbers(self.phone), mask_numbers(self.new_phone)
        return [
            "--no-input",
            "account",
            "change-phone",
            *("--set", f"phone={old}", "--set", "password=<hidden>", "--set", f"new_phone={new}"),
            *("--set", "identity_method=sms", "--set", "old_phone_code=auto"),
            *("--set", "new_phone_code=auto"),
        ]


@dataclass
class _Others:
    """The other accounts a story opens: the logins before each run (by ``id``) that found
    their number taken, and their phone changes, each in its place."""

    openings: dict[int, list[_Opening]] = field(default_factory=dict)
    changes: list[tuple[_Order, _NumberChange]] = field(default_factory=list)


def _other_accounts(
    store: Store,
    holders: _Holders,
    done: Sequence[tuple[_Order, tuple[Applicant | Flow, Run]]],
    owner: Account | None,
) -> _Others:
    """The accounts that held a number a run of the story found taken, where the story was
    recorded: each opened on it just before the first such run (unless a scenario of the
    story presets an account on it, which stands in for it), then changing its number at
    each phone change its holder made after that (given up, taken back, given up again), so
    that from then on the replay holds what its holder held."""
    out = _Others()
    opened: set[str] = set()  # each holder by its number now
    for key, run, number, preset in _numbers_taken(done):
        holder = _holder_at(store, holders, number, key)
        if holder is None or (owner is not None and holder["phone"] == owner["phone"]):
            continue
        if holder["phone"] in opened:
            continue  # held by an account the story opened already, as it was here
        opened.add(holder["phone"])
        opening = _Opening(number, len(opened))
        if preset is None:
            out.openings.setdefault(id(run), []).append(opening)
        history = holder.get("phone_history", [])
        numbers = [h["phone"] for h in history] + [holder["phone"]]
        for n, change in enumerate(history):
            at = _change_place(holders, change)
            if at > key:
                made = _NumberChange(
                    change["phone"],
                    numbers[n + 1],
                    f"{opening.id}-{n}",
                    _change_world(store, change.get("flow")),
                    preset or OTHER_ACCOUNT_PASSWORD,
                )
                out.changes.append((at, made))
    return out


def _holder_at(store: Store, holders: _Holders, number: str, key: _Order) -> Account | None:
    """The account that held ``number`` at ``key``: the first that gave it up after then,
    else the one that holds it now."""
    for change, account in holders.former(number):
        at = _placed(
            datetime.fromisoformat(change["until"]), holders.release_place(change.get("flow"))
        )
        if at > key:
            return account
    return store.get(ACCOUNTS, phone=number)


def _change_place(holders: _Holders, change: PhoneChange) -> _Order:
    """Where a phone change falls in a story: when it was made, by the place of its flow."""
    at = datetime.fromisoformat(change["until"])
    return _placed(at, holders.release_place(change.get("flow")))


def _change_world(store: Store, flow_id: str | None) -> dict[str, str]:
    """The world a phone change ran in (the fields an action names it by: its language,
    its built-in scenario or its scenario file's body); the default world when the file
    keeps no such run."""
    flow = store.get(FLOWS, id=flow_id) if flow_id else None
    runs = flow.get("runs") or [] if flow is not None else []
    if not runs:
        return {"scenario": "default"}
    run = runs[-1]
    world = {"lang": str(run.get("lang", "en"))}
    text = run.get("scenario_text")
    scenario = str(run.get("scenario") or "default")
    if text:
        world["scenario_text"] = text
    else:
        world["scenario"] = scenario if scenario in builtin_names() else "default"
    return world


def _price_read(price: object) -> object:
    """A recorded checkout price as the order read it (``2499元`` is 2499.00); anything else
    as it was, for the action's own check to refuse."""
    try:
        return str(check_money(str(price)))
    except ValueError:
        return price


def _servicing(
    store: Store, story_world: StoryWorld, loans: Sequence[Loan], fresh: dict[str, str]
) -> list[tuple[_Order, StoryAction]]:
    """The repayments and re-instalments made on the loans, when they were made, each in the
    world it was made in (none said: the story's, or one an older loancli did not keep)."""
    kept = store.meta_get(SERVICING_WORLDS_KEY)

    def world_of(event: Mapping[str, object]) -> dict[str, str]:
        return _named_world(store, story_world, servicing_world(kept, event.get("seq")))

    out: list[tuple[_Order, StoryAction]] = []
    for loan in loans:
        owner = fresh.get(loan["applicant_id"], loan["applicant_id"])
        for n, event in enumerate(loan.get("events", [])):
            at = datetime.fromisoformat(event["at"])
            place = event.get("seq")
            order = _placed(at, place, n)
            detail = event.get("detail") or {}
            if event["event"] == "repaid":
                kind = detail.get("kind")
                out.append(
                    (
                        order,
                        _repay(
                            owner,
                            detail["installments"][0] if kind == "installment" else None,
                            detail["amount"] if kind == "amount" else None,
                            world_of(event),
                        ),
                    )
                )
            elif event["event"] == "restructured":
                act = Restructure(loan=owner, term=detail["term"], **world_of(event))
                out.append((order, act))
            elif event["event"] == "repay_failed":
                # What was asked (a refusal recorded before it was kept: the whole loan).
                asked = _repay(
                    owner, detail.get("installment"), detail.get("amount"), world_of(event)
                )
                out.append((order, asked))
    return out


def _device_changes(account: Account | None) -> list[tuple[_Order, StoryAction]]:
    """What was done to the ``account``'s devices with ``device`` (a model trusted or
    forgotten, the two-step mode set), when it was done, each on the number it had then."""
    if account is None:
        return []
    history = [
        (datetime.fromisoformat(h["until"]), h["phone"]) for h in account.get("phone_history", [])
    ]
    out: list[tuple[_Order, StoryAction]] = []
    for n, change in enumerate(account.get("device_changes", [])):
        at = datetime.fromisoformat(change["at"])
        # The number until the first phone change after it, else the account's number now.
        phone = min((h for h in history if h[0] > at), default=(at, account["phone"]))[1]
        action: StoryAction
        if change["change"] == "trust":
            action = TrustDevice(account=phone, model=change["value"])
        elif change["change"] == "forget":
            action = ForgetDevice(account=phone, model=change["value"])
        else:
            action = TwoStep(
                account=phone, mode=cast("Literal['confirm', 'code']", change["value"])
            )
        out.append((_placed(at, change["seq"], n), action))
    return out


def _repay(
    owner: str, installment: int | None, amount: str | None, world: Mapping[str, str]
) -> Repay:
    """A repayment of one installment, of an amount, or (neither) of the whole loan, in
    ``world`` (its fields: none for the story's)."""
    named, text = world.get("scenario"), world.get("scenario_text")
    if installment is not None:
        return Repay(loan=owner, installment=installment, scenario=named, scenario_text=text)
    if amount is not None:
        return Repay(loan=owner, amount=amount, scenario=named, scenario_text=text)
    return Repay(loan=owner, all=True, scenario=named, scenario_text=text)


def _credit_entries(store: Store, records: Sequence[Applicant | Flow]) -> dict[str, CreditEntry]:
    """The credit-bureau entries of the story's borrowers by the id a fresh world gives them:
    numbered again in the order they were made."""
    ids = {other["id"] for other in records}
    made = sorted(
        (x for x in store.all(CREDIT) if x["applicant_id"] in ids), key=lambda x: id_order(x["id"])
    )
    return {f"R{n:04d}": entry for n, entry in enumerate(made, start=1)}


def _objections(
    store: Store,
    story_world: StoryWorld,
    entries: dict[str, CreditEntry],
    fresh: dict[str, str],
    ran: Mapping[str, datetime],
) -> list[tuple[_Order, StoryAction]]:
    """The objections filed to the account's credit entries, when they were filed (in the
    world each was filed in); one an older loancli kept only the day of, that day, and not
    before its borrower's last run (``ran``)."""
    out: list[tuple[_Order, StoryAction]] = []
    for entry_id, entry in entries.items():
        current = entry.get("objection")
        for objection in [*entry.get("earlier_objections", []), *([current] if current else [])]:
            fields = _objection_world(store, story_world, objection)
            out.append(_objection(entry_id, entry, objection, fresh, ran, fields))
    return out


def _objection_world(store: Store, story_world: StoryWorld, objection: Objection) -> dict[str, str]:
    """The fields naming the world ``objection`` was filed in (none: the story's, or a world
    an older loancli did not keep)."""
    return _named_world(store, story_world, objection.get("world"))


def _named_world(
    store: Store, story_world: StoryWorld, ref: Mapping[str, object] | None
) -> dict[str, str]:
    """The fields naming the world a kept reference (``scenario``, ``text``: the hash of a
    file's body kept in the file) names; none for the story's own or for none kept."""
    if ref is None:
        return {}
    body = _kept_text(store, ref.get("text"))
    return _world_fields(str(ref.get("scenario") or ""), body, story_world)


def _objection(
    entry_id: str,
    entry: CreditEntry,
    objection: Objection,
    fresh: dict[str, str],
    ran: Mapping[str, datetime],
    world: dict[str, str],
) -> tuple[_Order, StoryAction]:
    """One objection filed to ``entry``, as a story files it, in its place and world."""
    owner = entry["applicant_id"]
    filed = objection.get("filed_at")
    day = datetime.fromisoformat(f"{objection['filed_on']}T00:00:00+08:00")
    at = datetime.fromisoformat(filed) if filed else max(day, ran.get(owner, day))
    reason = objection["reason"]
    action = Object(loan=fresh.get(owner, owner), entry=entry_id, reason=reason, **world)
    place = objection.get("seq")
    return (_placed(at, place), action)


def _credit_expect(mine: dict[str, CreditEntry]) -> CreditExpect | None:
    """The borrower's credit entries as the bureau holds them now (none: no expectation)."""
    if not mine:
        return None
    wanted = {}
    for entry_id, entry in mine.items():
        objection = entry.get("objection")
        wanted[entry_id] = CreditEntryExpect(
            installment=entry["installment"],
            status=entry["status"],
            reported_on=entry["reported_on"],
            notified_on=entry["notified_on"],
            default_ended_on=entry["default_ended_on"],
            drops_on=entry["drops_on"],
            objection=(objection["outcome"] or "marked") if objection else None,
        )
    held = sum(1 for entry in mine.values() if entry["status"] == "held")
    return CreditExpect(held=held, entries=wanted)


def _loan_expect(loan: Loan, now: str | None, owner: str) -> Expect:
    today = datetime.fromisoformat(now or loan["loan_date"]).date()
    view = loan_view(loan, today)
    lines = {
        line["n"]: InstallmentExpect(
            status=line["status"], penalty=line["penalty"], owed=line["owed"]
        )
        for line in view["installments"]
    }
    return Expect(
        loan=LoanExpect(
            id=owner,
            status=view["loan_status"],
            remaining_principal=view["remaining_principal"],
            penalty=view["penalty"],
            # What a lender's double debit owes back (a ticket about it checks it).
            refund_owed=view["refund_owed"] if Decimal(view["refund_owed"]) else None,
            installments=lines,
        )
    )


def _merge(first: Expect | None, second: Expect) -> Expect:
    if first is None:
        return second
    return msgspec.structs.replace(first, loan=second.loan)


def story_yaml(story: Story, expects: dict[int, Expect], header: str = "") -> str:
    """The story as a person reads and edits it: each action with its ``expect``."""
    return _dumped(story_data(story, expects), header)


def story_data(story: Story, expects: dict[int, Expect]) -> dict[str, Any]:
    """The story as data, each action with its ``expect``."""
    data: dict[str, Any] = msgspec.to_builtins(story)
    for n, expect in expects.items():
        data["actions"][n]["expect"] = msgspec.to_builtins(expect)
    return data


def _dumped(data: Mapping[str, object], header: str) -> str:
    return header + yaml_text(dict(data))


def story_text(
    store: Store,
    record_id: str,
    folder: Path | None,
    *,
    keep_personal_data: bool = False,
    name: str | None = None,
) -> str:
    """The record's story as YAML. An uploaded image is named as the built-in image it is,
    else copied into ``folder`` (beside the story file) and named relative to it; without a
    folder, an image that is not built in is exit 2. The borrower's personal data are
    replaced by stand-ins (and the copied ID images drawn again with them), as a ticket
    bundle's are, unless ``keep_personal_data``: a story goes into a test suite."""
    builtin = {p.read_bytes(): p.name for p in BUILTIN_IMAGES.glob("*.png")}
    # A refusal names a folder named after the borrower masked, as every output does.
    private = private_of(store, resolve(store, record_id))
    copied: dict[str, str] = {}
    files: dict[str, bytes] = {}
    redrawn = False  # the built-in images copied, to be drawn again with the stand-ins

    def image(path: str) -> str:
        if path in copied:
            return copied[path]
        try:
            # Read as an upload is: the record names the path, and it may come from anyone.
            data = read_photo(path)
        except UsageError as exc:
            said = _("the image {path} a run uploaded cannot be read ({why})").format(
                path=path, why=exc
            )
            raise UsageError(
                mask_text(said + lost_image_hint(path), private), key="record"
            ) from None
        if data in builtin and not redrawn:
            copied[path] = builtin[data]
        elif folder is None:
            raise UsageError(
                _(
                    "a run uploaded {name}, which is not a built-in image; write the story to a "
                    "file so the image is kept beside it"
                ).format(name=mask_text(Path(path).name, private)),
                key="out",
            )
        else:
            name = f"images/{len(copied) + 1}-{Path(path).name}"
            files[name] = data
            copied[path] = name
        return copied[path]

    told = tell(store, record_id, image)
    # As a bundle's: a built-in scenario a run names inlined first, so its preset accounts
    # take the stand-ins its answers take; the secrets' stand-ins drawn again either way.
    inlined = inline_builtin_scenarios({"story": story_data(told.story, told.expects)})
    if not keep_personal_data and answers_print(inlined, builtin):
        # An answer holds the ID number a built-in image prints (a login by ID number, an
        # unlock): its stand-in would not match the card, so the images are copied and drawn
        # again with the stand-ins, as a bundle's are; printed alone, the story could not.
        if folder is None:
            raise UsageError(
                _(
                    "an answer of this story typed the ID number its card photos print (a "
                    "login by ID number, an unlock): write it to a file, where the photos are "
                    "drawn again with the stand-ins, or keep the personal data as they are"
                ),
                key="out",
            )
        redrawn = True
        copied.clear()
        told = tell(store, record_id, image)
        inlined = inline_builtin_scenarios({"story": story_data(told.story, told.expects)})
    if keep_personal_data:
        data = cast(dict[str, object], kept_secrets_rekeyed(inlined, files)["story"])
    else:
        mapped, files = pseudonymise(inlined, files)
        data = cast(dict[str, object], mapped["story"])
    if name is not None:  # named after its file (else its record's id)
        data["name"] = name
    if folder is not None and files:
        private_folders(folder / "images")
        for name, content in files.items():
            write_private(folder / name, content)
    # In the command's language, as everything it prints (the story's keys stay English).
    said = [
        _("The story of {record_id} as it happened; play it with: loancli story run FILE").format(
            record_id=record_id
        ),
        _("Passwords are stand-ins; codes read off the simulated phone are 'auto'.")
        if keep_personal_data
        else _(
            "Passwords are stand-ins; codes read off the simulated phone are 'auto'; the "
            "borrower's personal data too."
        ),
    ]
    return _dumped(data, "".join(f"# {line}\n" for line in said))
