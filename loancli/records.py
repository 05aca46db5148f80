"""The records of the state file: their table names, their types, and the check on load.

Records are ``TypedDict`` types: at run time they stay the plain JSON objects TinyDB stores (so
a state file is readable by anything that reads JSON, and the store needs no mapping layer),
and mypy checks the code that reads them. :func:`check_table` validates every record of a table
with msgspec when the state file is opened, so a damaged record is refused with the table, the
record id and the field, before anything reads or writes it.

A field that has a form says so in its type: ``IsoDate`` and ``IsoDateTime`` are text that must
be a real calendar date (a date-time with its UTC offset), ``Money`` is decimal text of 0 or
more, a reason is one of :class:`loancli.reasons.Reason`, a status one of its closed set, an
id has its table's letter and at least four digits. The forms are checked in one msgspec pass
over a type derived from the record's (:func:`_parsed`), so an error names the field's path.
The checks across records (counters, unique ids, references) are ``store/consistency.py``'s.

A record may carry fields beyond those typed here (each flow keeps what its steps recorded);
the types name what the code relies on, in the form loancli writes them.
"""

import functools
import operator
import re
import types
from collections.abc import Mapping
from datetime import date, datetime
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Generic,
    Literal,
    NotRequired,
    Required,
    TypedDict,
    TypeVar,
    Union,
    get_args,
    get_origin,
    is_typeddict,
)

import msgspec

from loancli.errors import kind_of, quoted
from loancli.i18n import N_, _
from loancli.masking import mask_phone
from loancli.reasons import Reason

if TYPE_CHECKING:
    from typing_extensions import TypeIs

R = TypeVar("R")


class Table(str, Generic[R]):
    """A table's name that carries the type of its records, so ``store.get(LOANS, ...)`` is a
    ``Loan`` to the type checker (at run time it is the plain name)."""

    __slots__ = ()


APPLICANTS: "Table[Applicant]" = Table("applicants")
FLOWS: "Table[Flow]" = Table("flows")
ACCOUNTS: "Table[Account]" = Table("accounts")
LOANS: "Table[Loan]" = Table("loans")
CARDS: "Table[Card]" = Table("cards")
CONTACTS: "Table[Contact]" = Table("contacts")
SMS_INBOX: "Table[SmsMessage]" = Table("sms_inbox")
OTP_CODES: "Table[OtpCode]" = Table("otp_codes")
META: "Table[Meta]" = Table("meta")

NonEmpty = msgspec.Meta(min_length=1)


class _Form:
    """What a field's text (or number) must be, in words for a person, and how it is checked:
    parsed as ``parse`` (a date, a reason...), held to msgspec constraints (a pattern, a
    bound), or, for an ``amount``, read as a number of 0 or more. The field keeps its JSON type
    for the code that reads it; only the check on load parses it."""

    def __init__(
        self, what: str, parse: Any = None, amount: bool = False, **constraints: Any
    ) -> None:
        self.what = what
        self.parse = parse
        self.amount = amount
        self.meta = msgspec.Meta(**constraints) if constraints else None


# Text an amount is read from, as a number, in a second pass (a regular expression on each of
# the many amounts of a large file costs several times more): 0 or more, and finite.
_AMOUNT = Annotated[float, msgspec.Meta(ge=0, le=1e15)]

IsoDate = Annotated[str, _Form(N_("a real date written YYYY-MM-DD"), date)]
IsoDateTime = Annotated[
    str,
    _Form(
        N_("a real date-time with its UTC offset, like 2026-03-02T10:00:00+08:00"),
        Annotated[datetime, msgspec.Meta(tz=True)],
    ),
]
# Amounts are written with fmt() (two decimals); a count of yuan-days may keep more.
Money = Annotated[str, _Form(N_("an amount of 0 or more written like 916.80"), amount=True)]
# An APR in percent, or a total fee rate as a fraction.
Rate = Annotated[str, _Form(N_("a rate of 0 or more written like 18.00"), amount=True)]
ReasonCode = Annotated[str, _Form(N_("a known reason code"), Reason)]
Positive = Annotated[int, _Form(N_("a whole number of 1 or more"), ge=1)]
Count = Annotated[int, _Form(N_("a whole number of 0 or more"), ge=0)]
# Every month has a 28th (loan/schedule.py LAST_COMMON_DAY).
DayOfMonth = Annotated[int, _Form(N_("a day of the month from 1 to 28"), ge=1, le=28)]
ApplicantId = Annotated[str, _Form(N_("an id like A0001"), pattern=r"^A[0-9]{4,}$")]
FlowId = Annotated[str, _Form(N_("an id like F0001"), pattern=r"^F[0-9]{4,}$")]
LoanId = Annotated[str, _Form(N_("an id like L0001"), pattern=r"^L[0-9]{4,}$")]
CardId = Annotated[str, _Form(N_("an id like C0001"), pattern=r"^C[0-9]{4,}$")]
ContactId = Annotated[str, _Form(N_("an id like K0001"), pattern=r"^K[0-9]{4,}$")]
# The record a loan was paid out by: a journey's, or a checkout's.
BorrowerId = Annotated[str, _Form(N_("an id like A0001 or F0001"), pattern=r"^[AF][0-9]{4,}$")]
# A credit card's expiry as printed (validation.py check_card_expiry).
Expiry = Annotated[
    str, _Form(N_("an expiry written MMYY, like 0928"), pattern=r"^(0[1-9]|1[0-2])[0-9]{2}$")
]
# Any flow but the journey, whose records live in the applicants table.
FlowKind = Annotated[
    str, _Form(N_("a flow kind like change_phone (not apply)"), pattern=r"^(?!apply$)[a-z][a-z_]*$")
]

Status = Literal["in_progress", "stopped", "completed"]
# The journey's steps in order, then its end (journey/runner.py STEP_NAMES; a test keeps them
# the same).
ApplicantStep = Literal[
    "login",
    "profile",
    "id_upload",
    "face_check",
    "authorisations",
    "first_review",
    "loan_selection",
    "card_binding",
    "sms_verification",
    "disbursement",
    "done",
]
# loan/schedule.py Method and the DAY_COUNT_* texts (a test keeps them the same).
LoanMethod = Literal["equal_installment", "equal_principal", "interest_first"]
DayCount = Literal["30/360 monthly", "actual/360 first period", "actual/365 every period"]
LineStatus = Literal["scheduled", "due", "overdue", "paid"]


# What an event or a loan event says besides its name: each event its own fields (a device, a
# file and its blur score, the actions asked and seen), already masked. The one open mapping
# of the records.
EventDetail = dict[str, Any]
# Answers as a run was given them, keyed by question (each question parses its own).
GivenAnswers = dict[str, Any]


class Event(TypedDict):
    """One thing that happened in a journey or flow, in simulated time; detail is masked."""

    at: IsoDateTime
    event: str
    step: NotRequired[str | None]
    reason: NotRequired[ReasonCode | None]
    detail: NotRequired[EventDetail]


class RunAction(TypedDict, total=False):
    """What a run did: its kind (``apply``, ``resume``, ``checkout``...) and the action's own
    fields (``operations.py`` ``action_fields``), never command-line words."""

    action: Required[str]
    applicant: str
    step: str
    card: str
    contact: str
    phone: str
    item: str
    price: str
    periods: int


class Run(TypedDict, total=False):
    """How one run of a journey or flow was started: what a report and a bundle replay
    (``journey/session.py`` writes it)."""

    command: str
    clock: IsoDateTime
    seed: int
    scenario: str
    answers: str | None
    set: list[str]
    resume: str | None
    action: RunAction
    # The language the events' sentences are in; a scenario file's body (a built-in is named,
    # not copied); the answers the run's finished steps took.
    lang: str
    scenario_text: str | None
    given: GivenAnswers
    # The step a run of one step ran (``step ID STEP``).
    step: str
    # A flow's words, as older versions kept them instead of ``action``.
    argv: list[str]


class _Progress(TypedDict):
    status: Status
    created_at: IsoDateTime
    events: list[Event]
    runs: NotRequired[list[Run]]
    reason: NotRequired[ReasonCode | None]
    updated_at: NotRequired[IsoDateTime]
    phone: NotRequired[str]
    # Journeys and flows in the order they were made (meta counter.record).
    seq: NotRequired[Positive]


class _IdentityDetails(TypedDict, total=False):
    validity: str | None
    face_id: str | None
    sex: str | None
    address: str | None
    authority: str | None
    ethnicity: str | None
    verified_at: IsoDateTime


class Identity(_IdentityDetails):
    """A verified ID card's fields kept on an account (a checkout's ID upload, a preset)."""

    name: str
    number: str
    birth_date: NotRequired[str | None]


class ApplicantIdentity(_IdentityDetails):
    """The ID card a journey read and verified (the review reads the birth date)."""

    name: str
    number: str
    birth_date: IsoDate


class IdentitySeen(_IdentityDetails, total=False):
    """What a flow keeps of the ID card it checked against (an unlock: the face only)."""

    name: str
    number: str
    birth_date: str | None


class ProfileContact(TypedDict):
    name: str
    relation: str
    phone: str


class Profile(TypedDict):
    """The journey's personal and work information."""

    employer: str
    monthly_income: Money
    contact: ProfileContact


class ReviewState(TypedDict):
    submitted_at: IsoDateTime
    ready_at: IsoDateTime


class Review(TypedDict):
    """The first review's decision: the limit and the APR the loan is then chosen within."""

    approved: bool
    credit_limit: Money
    apr: Rate
    why: list[str]


class LoanChoice(TypedDict):
    """The amount, term and method the borrower chose, and the loan once it is paid out."""

    amount: Money
    term: Positive
    method: LoanMethod
    apr: Rate
    id: NotRequired[LoanId]
    loan_date: NotRequired[IsoDate]
    first_due_date: NotRequired[IsoDate]
    repayment_day: NotRequired[DayOfMonth]
    day_count: NotRequired[DayCount]
    # The borrower took the product's optional protection plan.
    protection: NotRequired[bool]


class PlannedLine(TypedDict):
    n: Positive
    due_date: IsoDate
    principal: Money
    interest: Money
    fee: Money
    total: Money
    remaining: Money
    status: LineStatus
    # The line's fee by kind (monthly, guarantee, protection); fee is their sum.
    fees: NotRequired[dict[str, Money]]


class Plan(TypedDict):
    """The repayment plan shown when the loan was paid out (loan/schedule.py to_dict)."""

    repayment_day: DayOfMonth
    first_due_date: IsoDate
    day_count: DayCount
    apr: Rate
    total_interest: Money
    total_fee: Money
    installments: list[PlannedLine]
    # Older plans have none of these: the APR compounded, what reached the card, the up-front
    # fee, all that the loan costs beyond the payout, and each fee as written.
    apr_compound: NotRequired[Rate]
    apr_basis: NotRequired[str]
    paid_out: NotRequired[Money]
    upfront_fee: NotRequired[Money]
    total_cost: NotRequired[Money]
    fees: NotRequired[dict[str, str]]
    fee_free_days: NotRequired[int]


class ChosenCard(TypedDict):
    """The card a journey pays out to, or a checkout pays with."""

    id: CardId
    number: Annotated[str, NonEmpty]
    bank: NotRequired[str]
    reserved_phone: NotRequired[str]


class Applicant(_Progress):
    """A borrower's loan journey, step by step."""

    id: ApplicantId
    step: ApplicantStep
    stopped_at: NotRequired[ApplicantStep | None]
    seed: NotRequired[int]
    profile: NotRequired[Profile]
    identity: NotRequired[ApplicantIdentity]
    authorisations: NotRequired[dict[str, bool]]
    review_state: NotRequired[ReviewState]
    review: NotRequired[Review]
    loan: NotRequired[LoanChoice]
    card: NotRequired[ChosenCard]
    schedule: NotRequired[Plan]
    attempts: NotRequired[dict[str, Count]]
    # The file name of the income proof a second review was given.
    income_proof: NotRequired[str]


class Quota(TypedDict):
    """A checkout's installment quota: the limit granted and what is left of it."""

    quota: Money
    available: Money


class Flow(_Progress):
    """A run of an account flow (phone change, card bind, checkout, unlock...)."""

    id: FlowId
    kind: FlowKind
    step: str
    stopped_at: NotRequired[str | None]
    price: NotRequired[Money]
    periods: NotRequired[Positive]
    card: NotRequired[ChosenCard]
    identity: NotRequired[IdentitySeen]
    # Failed attempts by check (face, ocr), as a journey counts them.
    attempts: NotRequired[dict[str, Count]]
    # A checkout's item and quota; the card or contact a removal names; a phone change's new
    # number and how the holder proved who they are.
    item: NotRequired[str]
    quota: NotRequired[Quota]
    card_id: NotRequired[str]
    contact_id: NotRequired[str]
    new_phone: NotRequired[str]
    identity_method: NotRequired[str | None]
    # What the flow shows when it is done, by kind (the change, the card, the contact, the
    # checkout's plan): the flow's result as its command prints it.
    view: NotRequired[Mapping[str, object]]


def is_flow(record: Applicant | Flow) -> "TypeIs[Flow]":
    """Whether a record of a journey or a flow is an account flow's (it has a kind: a phone
    change, a checkout...); else it is a journey's, an :class:`Applicant`."""
    return record.get("kind", "apply") != "apply"


class LastLogin(TypedDict):
    at: IsoDateTime
    model: str
    city: str


class PhoneChange(TypedDict):
    """A number the account had until a phone change (the flow that changed it)."""

    phone: Annotated[str, NonEmpty]
    until: IsoDateTime
    flow: NotRequired[str]


class Freeze(TypedDict):
    at: IsoDateTime
    why: str
    # The checkout flow that froze the account.
    flow: NotRequired[str]


class Account(TypedDict):
    """The account behind a mobile number; the password only as its hash."""

    phone: Annotated[str, NonEmpty]
    password_hash: Annotated[str, NonEmpty]
    created_at: IsoDateTime
    wrong_passwords: NotRequired[Count]
    locked_until: NotRequired[IsoDateTime | None]
    face_locked_until: NotRequired[IsoDateTime | None]
    repayment_day: NotRequired[DayOfMonth | None]
    trusted_devices: NotRequired[list[str]]
    two_step: NotRequired[Literal["confirm", "code"]]
    last_login: NotRequired[LastLogin]
    phone_history: NotRequired[list[PhoneChange]]
    checkouts: NotRequired[list[IsoDateTime]]
    frozen: NotRequired[Freeze | None]
    identity: NotRequired[Identity]
    # The city of the last login a preset says (a new device elsewhere is unusual), and when
    # the quarterly self-check last ran.
    last_city: NotRequired[str]
    checked_at: NotRequired[IsoDateTime]
    # When an unlock last set a new password.
    password_reset_at: NotRequired[IsoDateTime]


class Paid(TypedDict):
    """What was paid of a line, part by part (loan/servicing.py PARTS)."""

    penalty: Money
    interest: Money
    fee: Money
    principal: Money


class Line(TypedDict):
    """One installment of a loan as it is serviced."""

    n: Positive
    due_date: IsoDate
    principal: Money
    interest: Money
    fee: Money
    total: Money
    penalty: Money
    status: LineStatus
    paid: Paid
    remaining: Money
    paid_on: IsoDate | None
    penalty_to: IsoDate | None
    penalty_yuan_days: NotRequired[Money]
    reminded: NotRequired[bool]
    fees: NotRequired[dict[str, Money]]


class LoanEvent(TypedDict):
    """One thing that happened to a loan: stamped with the command's time, dated by its day."""

    at: IsoDateTime
    event: str
    on: NotRequired[IsoDate]
    # Why a repayment was refused (a frozen card).
    reason: NotRequired[ReasonCode | None]
    detail: NotRequired[EventDetail]


class Payment(TypedDict):
    on: IsoDate
    kind: str
    amount: Money
    # The installments it paid (by number), and what of it prepaid principal.
    installments: NotRequired[list[Positive]]
    prepaid_principal: NotRequired[Money]
    # An early settlement: the interest to the day and the early-settlement fee it took.
    interest_to_date: NotRequired[Money]
    early_settlement_fee: NotRequired[Money]


class Replan(TypedDict):
    """A plan a re-instalment replaced, kept in the loan's history."""

    on: IsoDate
    kind: str
    lines: list[Line]
    owed: NotRequired[dict[str, Money]]


class Restructured(TypedDict):
    on: IsoDate
    principal: Money
    term: Positive
    first_due_date: IsoDate


class Loan(TypedDict):
    """A disbursed loan, its installments and what was paid."""

    id: LoanId
    applicant_id: BorrowerId
    phone: str
    status: Literal["active", "closed"]
    amount: Money
    term: Positive
    method: LoanMethod
    apr: Rate
    apr_contract: Rate
    repayment_day: DayOfMonth
    card_number: str
    loan_date: IsoDate
    lines: Annotated[list[Line], NonEmpty]
    payments: list[Payment]
    history: list[Replan]
    first_due_date: IsoDate
    fee_rate_total: NotRequired[Rate | None]
    day_count: NotRequired[DayCount]
    checked_to: NotRequired[IsoDate]
    events: NotRequired[list[LoanEvent]]
    payout_id: NotRequired[str]
    restructured: NotRequired[Restructured]
    # A checkout's loan: the product and the item it paid for.
    product: NotRequired[str]
    item: NotRequired[str]
    # Fees (older loans have none): each as written (1000.00 or 1.5%), what reached the card,
    # the APR compounded, early settlement free of fees for this many days, and the annual cap
    # in percent on what an overdue costs.
    fees: NotRequired[dict[str, str]]
    paid_out: NotRequired[Money]
    apr_compound: NotRequired[Rate]
    fee_free_days: NotRequired[int]
    overdue_cap: NotRequired[Rate | None]
    # Interest on early settlement: to the day (absent) or the whole current period.
    settlement_interest: NotRequired[Literal["to_date", "current_period"]]


class Card(TypedDict):
    """A bank card bound to an account; the transaction password only as its hash."""

    id: CardId
    phone: str
    number: Annotated[str, NonEmpty]
    status: Literal["bound", "unbound"]
    card_type: Literal["debit", "credit"]
    bank: str
    reserved_phone: str
    bound_at: IsoDateTime
    source: str
    rebind_required: NotRequired[bool]
    expiry: NotRequired[Expiry | None]
    transaction_password_hash: NotRequired[str]
    unbound_at: NotRequired[IsoDateTime]


class Contact(TypedDict):
    """An emergency contact of an account."""

    id: ContactId
    phone: str
    mobile: str
    name: str
    relation: str
    added_at: IsoDateTime
    source: str


class SmsMessage(TypedDict):
    """A message in a simulated phone's inbox."""

    phone: str
    sender: str
    text: str
    sent_at: IsoDateTime
    arrives_at: IsoDateTime
    code: NotRequired[str | None]


class OtpCode(TypedDict):
    """A one-time code the SMS service issued, stored hashed."""

    phone: str
    purpose: str
    sender: str
    code_hash: str
    sent_at: IsoDateTime
    expires_at: IsoDateTime
    wrong: Count
    active: bool


class Meta(TypedDict):
    """A setting of the state file itself (schema version, clock, id counters)."""

    key: str
    version: NotRequired[int]
    # object, not Any: a record type with an Any field at its top level makes mypy's choice
    # among Store.get's overloads Any for the whole table (so does Flow's view).
    value: NotRequired[object]


# Each table's record type, as the check on load walks it (a type hint as an object: Python
# has no type for those yet, hence Any here and in the walkers below).
RECORD_TYPES: dict[str, Any] = {
    APPLICANTS: Applicant,
    FLOWS: Flow,
    ACCOUNTS: Account,
    LOANS: Loan,
    CARDS: Card,
    CONTACTS: Contact,
    SMS_INBOX: SmsMessage,
    OTP_CODES: OtpCode,
    META: Meta,
}
# How a record of each table is named in an error: by its id field, else its document number.
ID_FIELDS = {ACCOUNTS: "phone", META: "key"}
COUNTER_PREFIX = "counter."


class _Setting(TypedDict):
    key: str
    version: NotRequired[int]


class Clock(_Setting):
    """The simulated now (meta ``clock``)."""

    value: IsoDateTime


class Counter(_Setting):
    """An id counter (meta ``counter.<name>``): the number of the last id handed out."""

    value: Count


class RecordProblem(Exception):
    """A record that does not fit its type, or its neighbours: where it is and what is wrong."""

    def __init__(self, table: str, record: str, field: str, problem: str) -> None:
        self.table, self.record, self.field, self.problem = table, record, field, problem
        super().__init__(
            _("table {table!r}, record {record}, field {field!r}: {problem}").format(
                table=table, record=record, field=field, problem=problem
            )
        )


def check_table(table: str, documents: Mapping[str, object]) -> None:
    """Validate every record of ``table`` (document id -> record); raise RecordProblem."""
    kind = RECORD_TYPES.get(table)
    if kind is None:
        return
    for doc_id, doc in documents.items():
        if table == META:
            kind = _setting_type(doc)
        try:
            msgspec.convert(doc, _parsed(kind))
            if _amounts(kind) is not Any:
                # The amounts, as numbers (lax: from their text), once the rest fits.
                msgspec.convert(doc, _amounts(kind), strict=False)
        except msgspec.ValidationError as exc:
            field, problem = _explain(str(exc), kind, doc)
            raise RecordProblem(table, record_name(table, doc_id, doc), field, problem) from None


def _setting_type(doc: object) -> Any:
    key = doc.get("key") if isinstance(doc, dict) else None
    if key == "clock":
        return Clock
    if isinstance(key, str) and key.startswith(COUNTER_PREFIX):
        return Counter
    return Meta


def record_name(table: str, doc_id: str | int, doc: object) -> str:
    """A record as an error names it: its id (a phone masked), else ``#<document number>``."""
    field = ID_FIELDS.get(table, "id")
    value = doc.get(field) if isinstance(doc, dict) else None
    if isinstance(value, str) and value:
        return repr(mask_phone(value) if field == "phone" else value)
    return f"#{doc_id}"


# -- the forms, checked in one msgspec pass ----------------------------------------------


@functools.cache
def _parsed(kind: Any) -> Any:
    """``kind`` as msgspec checks it: each form replaced by what it parses to (``IsoDate`` by
    ``date``...) or by its constraints, each record type by its derived TypedDict."""
    origin = get_origin(kind)
    if origin is Annotated:
        base, *extras = get_args(kind)
        forms = [e for e in extras if isinstance(e, _Form)]
        if forms and forms[0].parse is not None:
            return forms[0].parse
        metas = [e.meta if isinstance(e, _Form) else e for e in extras]
        metas = [m for m in metas if isinstance(m, msgspec.Meta)]
        return Annotated[(_parsed(base), *metas)] if metas else _parsed(base)
    if is_typeddict(kind):
        required = kind.__required_keys__
        fields = {}
        for name, hint in kind.__annotations__.items():
            derived = _parsed(_unrequired(hint))
            fields[name] = derived if name in required else NotRequired[derived]
        return TypedDict(kind.__name__, fields)  # type: ignore[operator]
    if origin in (list, dict):
        return origin[tuple(_parsed(arg) for arg in get_args(kind))]
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, (_parsed(arg) for arg in get_args(kind)))
    return kind


@functools.cache
def _amounts(kind: Any) -> Any:
    """The part of ``kind`` that holds amounts, each read as a number of 0 or more; Any where
    there is none (a TypedDict skips the keys it does not name)."""
    origin = get_origin(kind)
    if origin is Annotated:
        forms = [e for e in get_args(kind)[1:] if isinstance(e, _Form)]
        return _AMOUNT if forms and forms[0].amount else _amounts(get_args(kind)[0])
    if is_typeddict(kind):
        fields = {}
        for name, hint in kind.__annotations__.items():
            derived = _amounts(_unrequired(hint))
            if derived is not Any:
                fields[name] = NotRequired[derived]
        return TypedDict(kind.__name__, fields) if fields else Any  # type: ignore[operator]
    if origin in (list, dict, Union, types.UnionType):
        args = [_amounts(arg) for arg in get_args(kind)]
        if all(arg is Any for arg in args):
            return Any
        if origin in (Union, types.UnionType):
            # None, or an amount; what else the union admits the first pass checked.
            return functools.reduce(operator.or_, [*{a for a in args if a is not Any}, type(None)])
        return origin[tuple(args)]
    return Any


def _unrequired(kind: Any) -> Any:
    while get_origin(kind) in (NotRequired, Required):
        kind = get_args(kind)[0]
    return kind


def _plain(kind: Any) -> Any:
    """The type under NotRequired, ``X | None`` and bare msgspec constraints; a form stays."""
    while True:
        kind = _unrequired(kind)
        origin = get_origin(kind)
        if origin in (Union, types.UnionType):
            rest = [arg for arg in get_args(kind) if arg is not type(None)]
            if len(rest) != 1:
                return kind
            kind = rest[0]
        elif origin is Annotated and not any(isinstance(e, _Form) for e in get_args(kind)[1:]):
            kind = get_args(kind)[0]
        else:
            return kind


_PART = re.compile(r"\[\d+\]|\[\.\.\.\]|[^.\[\]]+")


def _locate(kind: Any, doc: object, path: str) -> tuple[Any, object, str]:
    """The declared type, the value and the exact path of the field at msgspec's ``path``
    (``lines[0].due_date``; a dict's value, ``owed[...]``, is found by the first that fails)."""
    found = ""
    for part in _PART.findall(path):
        kind = _plain(kind)
        if part == "[...]" and isinstance(doc, dict) and get_origin(kind) is dict:
            kind = get_args(kind)[1]
            key = next((k for k, v in doc.items() if not _fits(v, kind)), next(iter(doc), None))
            doc, found = doc.get(key), f"{found}.{key}"
        elif part.startswith("[") and isinstance(doc, list) and get_origin(kind) is list:
            kind, doc, found = get_args(kind)[0], doc[int(part[1:-1])], found + part
        elif isinstance(doc, dict) and is_typeddict(kind):
            kind = kind.__annotations__.get(part, Any)
            doc, found = doc.get(part), f"{found}.{part}" if found else part
        else:
            return Any, None, path
    return kind, doc, found


def _fits(value: object, kind: Any) -> bool:
    try:
        msgspec.convert(value, _parsed(kind))
    except msgspec.ValidationError:
        return False
    return True


def _what(kind: Any) -> str | None:
    """What a form asks for, in words; None for a plain type."""
    kind = _plain(kind)
    if get_origin(kind) is Annotated:
        for extra in get_args(kind)[1:]:
            if isinstance(extra, _Form):
                return _(extra.what)
    if get_origin(kind) is Literal:
        return _("one of {choices}").format(choices=", ".join(map(str, get_args(kind))))
    return None


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"missing required field `(?P<field>[^`]+)`")
_EXPECTED = re.compile(r"^Expected `(?P<want>[a-z]+)`, got `[a-z]+`$")
# msgspec's names of the JSON types, as an error message says what a field should be.
_JSON_KINDS = {
    "array": N_("a list"),
    "object": N_("a mapping"),
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true/false"),
    "null": N_("nothing (null)"),
}


def _explain(message: str, kind: Any, doc: object) -> tuple[str, str]:
    """msgspec's message as (field path, what is wrong): ``events``, ``expected array, got str``;
    a value not of its field's form is quoted, with the form it should have."""
    path = ""
    match = _AT.search(message)
    if match:
        path = match["path"].lstrip(".")
        message = message[: match.start()]
    missing = _MISSING.search(message)
    if missing:
        field = f"{path}.{missing['field']}" if path else missing["field"]
        return field, _("missing")
    value: object = doc
    if path:
        form, value, path = _locate(kind, doc, path)
        what = _what(form)
        if what is not None:
            return path, _("{value} is not {what}").format(value=quoted(value), what=what)
    expected = _EXPECTED.match(message)
    if expected and expected["want"] in _JSON_KINDS:
        # The same words as every other refusal of a value of the wrong kind (errors.kind_of).
        return path or "(record)", _("expected {want}, not {kind}").format(
            want=_(_JSON_KINDS[expected["want"]]), kind=kind_of(value)
        )
    message = message.replace("`", "")
    return path or "(record)", message[0].lower() + message[1:]
