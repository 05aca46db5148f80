"""The story: a reproduction over simulated time, as a typed, versioned document.

A story is YAML (``loancli story schema`` prints its JSON Schema)::

    story: 1
    title: 逾期罚息 - overdue, then the penalty by the day
    complaint:
      zh: [逾期了罚息怎么算, 晚还了几天多扣了多少钱]
      en: [how is the late-payment penalty worked out]
    world: {scenario: default, seed: 0, clock: 2026-03-02T10:00:00+08:00, lang: en}
    person: {answers: happy-path}
    actions:
      - action: apply
        expect: {status: completed}
      - action: clock_advance
        by: 45d
        expect:
          loan: {installments: {1: {status: overdue, penalty: "8.25"}}}

``world`` gives every journey and flow its scenario (a built-in's name, or ``scenario_text``:
a scenario's whole YAML), seed and language; ``clock`` is where a fresh world starts.
``person`` gives the answers every journey and flow starts from: a built-in answers set by
name (``happy-path``, ``change-phone``, ``checkout``) or a mapping; an action's own
``answers`` win over them, key by key. Image answers name a built-in image (``front.png``)
or a file beside the story (never outside its folder).

The actions are the operations of :mod:`loancli.api.operations`: the runs of journeys and flows
(``apply``, ``resume``, ``step``, ``change_phone``, ``bind_card``, ``unbind_card``,
``add_contact``, ``remove_contact``, ``login``, ``unlock``, ``checkout``: the same actions a
ticket replays) and the world's own (``clock_advance``, ``clock_set``, ``repay``,
``restructure``). Each may ``expect`` what it leads to (:class:`Expect`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from loancli.api import operations
from loancli.i18n import _
from loancli.loan.bureau import REASON_MAX

STORY_FORMAT = 1
# A name a story gives or takes (its own, a scenario's): lowercase letters, digits and '-'.
NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
Name = Annotated[str, msgspec.Meta(pattern=NAME_PATTERN)]
Money = Annotated[str, msgspec.Meta(pattern=r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$")]
Id = operations.Id
Text = Annotated[str, msgspec.Meta(max_length=2000)]


# -- what an action may expect ------------------------------------------------------------


class InstallmentExpect(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One installment as it is after the action (amounts to the fen)."""

    status: Literal["scheduled", "due", "overdue", "paid"] | None = None
    due_date: str | None = None
    principal: Money | None = None
    interest: Money | None = None
    total: Money | None = None
    penalty: Money | None = None
    owed: Money | None = None
    paid_on: str | None = None
    fee: Money | None = None


class LoanExpect(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A loan as it is after the action: ``id`` names it (default: the action's, else the
    newest loan of the world)."""

    id: Id | None = None
    status: Literal["active", "closed"] | None = None
    remaining_principal: Money | None = None
    owed_today: Money | None = None
    penalty: Money | None = None
    overdue_installments: int | None = None
    settlement_amount: Money | None = None
    repayment_day: int | None = None
    refund_owed: Money | None = None
    installments: dict[int, InstallmentExpect] = {}
    # What reached the card (the amount less an up-front fee) and the APR of every cost over
    # it: simple (monthly IRR x 12) and compounded.
    paid_out: Money | None = None
    apr: Money | None = None
    apr_compound: Money | None = None


class SmsExpect(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A message in the simulated inbox of ``to`` whose text matches ``text`` (a regular
    expression, searched), or with ``none: true`` no such message. The pattern is checked
    when the story is read (:func:`pattern_problem`)."""

    to: Annotated[str, msgspec.Meta(pattern=r"^1[3-9][0-9]{9}$")]
    text: Annotated[str, msgspec.Meta(max_length=200)] = ""
    none: bool = False

    def __post_init__(self) -> None:
        problem = pattern_problem(self.text)
        if problem is not None:
            raise ValueError(problem)


# The ways a pattern's repetitions may together divide a message (an open-ended one counts
# as a message's length): two open-ended ones are fine, three are not, nor are eight of
# ``.{0,9}``.
MAX_WAYS = 100_000
# A message's length, as an open-ended repetition counts it.
MESSAGE_CHARS = 300


def pattern_problem(text: str) -> str | None:
    """What keeps ``text`` from being an SMS pattern, or None. A story comes from anyone, and
    Python's regular expressions backtrack: a repetition of varying length inside a
    repetition (``(a*)*``, ``(.?){26}``), a repeated alternation (``(a|ab)*``), a back
    reference, or repetitions that together could divide a message in more than MAX_WAYS
    ways (``.*a.*b.*c``) can take longer than the world has, so they are refused with the
    syntax errors, before anything runs."""
    import re

    try:
        re.compile(text)
    except re.error as exc:
        return _("not a regular expression ({why})").format(why=exc)
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(text)
    except (ImportError, re.error):  # pragma: no cover - a Python without the parser
        return None
    ways = [1]
    if _may_backtrack(list(parsed), False, ways) or ways[0] > MAX_WAYS:
        return _(
            "a pattern that could take too long to match (a repetition inside a repetition, "
            "a repeated alternation, a back reference, or repetitions that together could "
            "divide a message too many ways); match the words of the message"
        )
    return None


def _may_backtrack(items: list[Any], repeated: bool, ways: list[int]) -> bool:
    """Whether parsed regular-expression ``items`` (inside a repetition when ``repeated``)
    hold what backtracks without bound; multiplies into ``ways`` the lengths each repetition
    of varying length may take."""
    from re import _constants  # type: ignore[attr-defined]

    for op, av in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            endless = high is _constants.MAXREPEAT
            if endless or high != low:
                if repeated:
                    return True
                ways[0] = min(ways[0] * ((MESSAGE_CHARS if endless else high) - low + 1), 10**12)
            many = endless or high > 1
            if _may_backtrack(list(sub), repeated or many, ways):
                return True
        elif name in ("SUBPATTERN", "ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"):
            inner = av if name == "ATOMIC_GROUP" else av[-1]
            if _may_backtrack(list(inner), repeated, ways):
                return True
        elif name == "BRANCH":
            if repeated:
                return True
            if any(_may_backtrack(list(b), repeated, ways) for b in av[1]):
                return True
        elif name in ("GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE"):
            return True
    return False


class EventExpect(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """An event the action recorded (on its journey, flow or loan); ``detail`` names figures
    the event must carry (``{installment: 1, days: 14, amount: "8.05"}``, amounts to the fen)."""

    event: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,40}$")]
    reason: str | None = None
    step: str | None = None
    detail: dict[Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,40}$")], str | int | bool] = {}


class CreditEntryExpect(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One credit-bureau entry as it is after the action."""

    installment: int | None = None
    status: Literal["held", "dropped", "deleted"] | None = None
    reported_on: str | None = None
    notified_on: str | None = None
    default_ended_on: str | None = None
    drops_on: str | None = None
    objection: Literal["marked", "kept", "corrected"] | None = None


class CreditExpect(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The credit bureau's record of the loan's borrower after the action (the loan the
    expectation's ``loan.id`` names, else the action's): how many entries it holds, and
    entries by id (``R0001``)."""

    held: int | None = None
    entries: dict[Annotated[str, msgspec.Meta(pattern=r"^R[0-9]{4,}$")], CreditEntryExpect] = {}


class Expect(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """What an action leads to. A journey or flow: its ``status`` (``completed``,
    ``stopped``), ``stopped_at`` and ``reason``; a repayment: ``status`` ``paid`` or
    ``refused`` and its ``reason``. Any action: the ``loan``, SMS messages, the ``events``
    it recorded and the events it must not have recorded (``no_events``)."""

    status: Literal["completed", "stopped", "in_progress", "paid", "refused"] | None = None
    stopped_at: str | None = None
    reason: str | None = None
    loan: LoanExpect | None = None
    credit: CreditExpect | None = None
    sms: list[SmsExpect] = []
    events: list[EventExpect] = []
    no_events: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,40}$")]] = []


# -- the world's own actions -----------------------------------------------------------------


class WorldAction(
    msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True, tag_field="action"
):
    """An action on the world between journeys (its scenario is the story's)."""


class ClockMoveAction(WorldAction, kw_only=True):
    """A clock move, in the story's world or its own: a built-in ``scenario``'s name or a
    ``scenario_text`` (a ticket's move keeps the world it was made in: a bank that debits on
    the due dates in one world does not in another)."""

    scenario: Name | None = None
    scenario_text: Annotated[str, msgspec.Meta(max_length=1024 * 1024)] | None = None


class ClockAdvance(ClockMoveAction, tag="clock_advance"):
    """``clock advance BY``: ``90s``, ``6m``, ``2h``, ``45d``."""

    by: Annotated[str, msgspec.Meta(pattern=r"^[0-9dhms ]{1,20}$")]


class ClockSet(ClockMoveAction, tag="clock_set"):
    """``clock set TO``."""

    to: datetime


class Repay(ClockMoveAction, tag="repay"):
    """``repay LOAN``: one of ``installment`` N, an ``amount``, or ``all``; in the story's
    world or its own (a frozen card refuses it in one world and not in another)."""

    loan: Id
    installment: Annotated[int, msgspec.Meta(ge=1, le=600)] | None = None
    amount: Money | None = None
    all: bool = False


class Restructure(ClockMoveAction, tag="restructure"):
    """``restructure LOAN --term N``, in the story's world or its own."""

    loan: Id
    term: Annotated[int, msgspec.Meta(ge=1, le=120)]


class Object(ClockMoveAction, tag="object"):
    """``credit-report LOAN --object ENTRY --reason TEXT``: an objection to a credit entry,
    in the story's world or its own (the days it is answered in are its world's)."""

    loan: Id
    entry: Annotated[str, msgspec.Meta(pattern=r"^R[0-9]{4,}$")]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=REASON_MAX)]


# An account, as ``device`` names it: its mobile number or the holder's ID number.
Account = Annotated[str, msgspec.Meta(pattern=r"^[0-9Xx]{11,18}$")]
DeviceModel = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]


class TrustDevice(WorldAction, tag="trust_device"):
    """``device trust ACCOUNT MODEL``: the model's logins no longer need two-step
    verification."""

    account: Account
    model: DeviceModel


class ForgetDevice(WorldAction, tag="forget_device"):
    """``device forget ACCOUNT MODEL``: its next login needs two-step verification again."""

    account: Account
    model: DeviceModel


class TwoStep(WorldAction, tag="two_step"):
    """``device two-step ACCOUNT --mode confirm|code``."""

    account: Account
    mode: Literal["confirm", "code"]


class AccountCheck(WorldAction, tag="account_check"):
    """``account check PHONE``: the quarterly self-check (it records when it ran)."""

    phone: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{11}$")]


WORLD_ACTIONS: tuple[type[WorldAction], ...] = (
    ClockAdvance,
    ClockSet,
    Repay,
    Restructure,
    Object,
    TrustDevice,
    ForgetDevice,
    TwoStep,
    AccountCheck,
)
AnyWorldAction = (
    ClockAdvance
    | ClockSet
    | Repay
    | Restructure
    | Object
    | TrustDevice
    | ForgetDevice
    | TwoStep
    | AccountCheck
)
StoryAction = operations.AnyAction | AnyWorldAction


# -- the story ----------------------------------------------------------------------------


class Complaint(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """What borrowers write, in their words."""

    zh: list[Text] = []
    en: list[Text] = []


class StoryWorld(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The world every journey and flow of the story runs in, and where its clock starts."""

    scenario: Name = "default"
    scenario_text: Annotated[str, msgspec.Meta(max_length=1024 * 1024)] | None = None
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] = 0
    clock: datetime | None = None
    lang: Literal["en", "zh"] = "en"


class Persona(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A generated borrower (``loancli persona new``) instead of the demo one."""

    seed: int | None = None
    age: Annotated[int, msgspec.Meta(ge=16, le=90)] | None = None
    sex: Literal["male", "female"] | None = None
    province: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    bank: Annotated[str, msgspec.Meta(max_length=20)] | None = None


class Person(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Whose answers the runs start from: a built-in answers set by name or a mapping, and
    optionally a persona whose identity replaces the demo borrower's."""

    answers: (
        Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9-]{1,40}$")] | dict[str, operations.Answer]
    ) = "happy-path"
    persona: Persona | None = None


class Story(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """A story (format 1)."""

    story: int
    name: Name | None = None
    title: Text = ""
    complaint: Complaint = msgspec.field(default_factory=Complaint)
    world: StoryWorld = msgspec.field(default_factory=StoryWorld)
    person: Person = msgspec.field(default_factory=Person)
    # Each action's ``expect`` is read apart from it (an :class:`Expect`), by its index.
    actions: Annotated[list[StoryAction], msgspec.Meta(min_length=1, max_length=500)]


def schema() -> dict[str, Any]:
    """The JSON Schema of a story file (``loancli story schema``), for editors: each action
    with the ``expect`` it may carry."""
    (story, expect), defs = msgspec.json.schema_components(
        (Story, Expect), ref_template="#/$defs/{name}"
    )
    for definition in defs.values():
        if "action" in definition.get("properties", {}):
            definition["properties"]["expect"] = expect
    return {**story, "$defs": defs}
