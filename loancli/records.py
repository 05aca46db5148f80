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
over a type derived from the record's (``documents.py``, the engine of every document), so
an error names the field's path.
The checks across records (counters, unique ids, references) are ``store/consistency.py``'s.

A record may carry fields beyond those typed here (each flow keeps what its steps recorded);
the types name what the code relies on, in the form loancli writes them.
"""

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
)

import msgspec

from loancli.documents import DocumentInvalid, Problem, form, read_document
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
CREDIT: "Table[CreditEntry]" = Table("credit_entries")

NonEmpty = msgspec.Meta(min_length=1)


IsoDate = Annotated[str, form(N_("a real date written YYYY-MM-DD"), date)]
IsoDateTime = Annotated[
    str,
    form(
        N_("a real date-time with its UTC offset, like 2026-03-02T10:00:00+08:00"),
        Annotated[datetime, msgspec.Meta(tz=True)],
    ),
]
# Amounts are written with fmt() (two decimals); a count of yuan-days may keep more.
Money = Annotated[str, form(N_("an amount of 0 or more written like 916.80"), amount=True)]
# An APR in percent, or a total fee rate as a fraction.
Rate = Annotated[str, form(N_("a rate of 0 or more written like 18.00"), amount=True)]
ReasonCode = Annotated[str, form(N_("a known reason code"), Reason)]
Positive = Annotated[int, form(N_("a whole number of 1 or more"), ge=1)]
Count = Annotated[int, form(N_("a whole number of 0 or more"), ge=0)]
# Every month has a 28th (loan/schedule.py LAST_COMMON_DAY).
DayOfMonth = Annotated[int, form(N_("a day of the month from 1 to 28"), ge=1, le=28)]
ApplicantId = Annotated[str, form(N_("an id like A0001"), pattern=r"^A[0-9]{4,}$")]
FlowId = Annotated[str, form(N_("an id like F0001"), pattern=r"^F[0-9]{4,}$")]
LoanId = Annotated[str, form(N_("an id like L0001"), pattern=r"^L[0-9]{4,}$")]
CardId = Annotated[str, form(N_("an id like C0001"), pattern=r"^C[0-9]{4,}$")]
ContactId = Annotated[str, form(N_("an id like K0001"), pattern=r"^K[0-9]{4,}$")]
CreditEntryId = Annotated[str, form(N_("an id like R0001"), pattern=r"^R[0-9]{4,}$")]
# The record a loan was paid out by: a journey's, or a checkout's.
BorrowerId = Annotated[str, form(N_("an id like A0001 or F0001"), pattern=r"^[AF][0-9]{4,}$")]
# A credit card's expiry as printed (validation.py check_card_expiry).
Expiry = Annotated[
    str, form(N_("an expiry written MMYY, like 0928"), pattern=r"^(0[1-9]|1[0-2])[0-9]{2}$")
]
# Any flow but the journey, whose records live in the applicants table.
FlowKind = Annotated[
    str, form(N_("a flow kind like change_phone (not apply)"), pattern=r"^(?!apply$)[a-z][a-z_]*$")
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
    fields (``api/operations.py`` ``action_fields``), never command-line words."""

    action: Required[str]
    applicant: str
    step: str
    card: str
    loan: str
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
    # A later run's place among what was done on the file (meta counter.record; a record's
    # first run is at the record's own ``seq``).
    seq: Positive
    # The run ended before its steps did: an answer missing or refused, Ctrl-C.
    interrupted: bool
    # A replay's run: the id the record it made had where it was recorded (its draws' key).
    draws: BorrowerId
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
    # What its random draws (face actions, faults that fire by chance) are keyed by, where
    # not its id: the id it had in the world a replay reproduces.
    draws: NotRequired[BorrowerId]


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


class PayoutReview(TypedDict):
    """A payout held for the risk engine's second review (after a login from a new device):
    no money has moved and no loan is booked until it is released."""

    payout: Annotated[str, NonEmpty]
    held_at: IsoDateTime
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
    # The payout held for a second risk review, while it is held and after.
    payout_review: NotRequired[PayoutReview]


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


class DeviceChange(TypedDict):
    """A change made to the account's devices with ``device`` (a model trusted or forgotten,
    the two-step mode set), in the file's order: a ticket of a later login makes it again."""

    at: IsoDateTime
    seq: Positive
    change: Literal["trust", "forget", "two_step"]
    # The device's model, or the two-step mode.
    value: Annotated[str, NonEmpty]


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
    device_changes: NotRequired[list[DeviceChange]]
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
    # The automatic debit (代扣) tried on the due date; the credit-reporting notice and report.
    debited_on: NotRequired[IsoDate]
    report_notice_on: NotRequired[IsoDate]
    reported_as: NotRequired[CreditEntryId]
    fees: NotRequired[dict[str, Money]]


class LoanEvent(TypedDict):
    """One thing that happened to a loan: stamped with the command's time, dated by its day."""

    at: IsoDateTime
    event: str
    on: NotRequired[IsoDate]
    # Why a repayment was refused (a frozen card).
    reason: NotRequired[ReasonCode | None]
    detail: NotRequired[EventDetail]
    # A borrower's own act (repaid, repay_failed, restructured): its place among what was
    # done on the file (meta counter.record), so that a story replays it in that order.
    seq: NotRequired[Positive]


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
    # Settled in the fee-free days: the up-front fee refunded to the card.
    upfront_fee_refunded: NotRequired[Money]


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
    # What a lender's double debit took too much: the refund the borrower is owed (with the
    # up-front fee an early settlement in the fee-free days refunds, ``upfront_refund``).
    refund_owed: NotRequired[Money]
    upfront_refund: NotRequired[Money]
    # Fees (older loans have none): each as written (1000.00 or 1.5%), what reached the card,
    # the APR compounded, early settlement free of fees for this many days, and the annual cap
    # in percent on what an overdue costs.
    fees: NotRequired[dict[str, str]]
    paid_out: NotRequired[Money]
    apr_compound: NotRequired[Rate]
    fee_free_days: NotRequired[int]
    # What settling in the fee-free days waives: every fee, the up-front one refunded (absent,
    # "all"), or only the early-settlement fee.
    fee_free_waives: NotRequired[Literal["all", "early_settlement"]]
    overdue_cap: NotRequired[Rate | None]
    # Interest on early settlement: to the day (absent) or the whole current period.
    settlement_interest: NotRequired[Literal["to_date", "current_period"]]
    # A replay's loan: its borrower's id where it was recorded (its debits' chance faults).
    draws: NotRequired[BorrowerId]


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


class ObjectionWorld(TypedDict):
    """A world as the state file names it: a scenario's name (or a file's path) and the hash
    of the file's body it keeps, if any."""

    scenario: str | None
    text: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{16}$")] | None


class Objection(TypedDict):
    """A borrower's objection to a credit-bureau entry (征信业管理条例 art. 25): marked when
    filed, answered within 20 days."""

    filed_on: IsoDate
    # When it was filed, to the second (a bundle's story files it again then).
    filed_at: NotRequired[IsoDateTime]
    # Its place among what was done on the file (meta counter.record).
    seq: NotRequired[Positive]
    reason: Annotated[str, NonEmpty]
    answer_by: IsoDate
    answered_on: IsoDate | None
    outcome: Literal["kept", "corrected"] | None
    # The world it was filed in (its answer's days are that world's): the scenario as named,
    # and the hash of a file's body the state file keeps (a ticket files it there again).
    world: NotRequired[ObjectionWorld]
    # The answer that world's bureau gives (absent in a file older than it: the answer is
    # then the world's of the command that moves the clock past ``answer_by``).
    answer: NotRequired[Literal["kept", "corrected"]]


class CreditEntry(TypedDict):
    """An overdue the lender reported to the simulated credit bureau: when it was reported,
    when the default ended and when the record drops off (5 years later, art. 16)."""

    id: CreditEntryId
    applicant_id: BorrowerId
    loan: LoanId
    installment: Positive
    due_date: IsoDate
    amount: Money
    notified_on: IsoDate
    reported_on: IsoDate
    status: Literal["held", "dropped", "deleted"]
    default_ended_on: IsoDate | None
    drops_on: IsoDate | None
    objection: NotRequired[Objection]
    # Objections answered before ``objection`` was filed, oldest first (a ticket files each
    # again in its turn).
    earlier_objections: NotRequired[list[Objection]]


class Meta(TypedDict):
    """A setting of the state file itself (schema version, clock, id counters)."""

    key: str
    version: NotRequired[int]
    # object, not Any: a record type with an Any field at its top level makes mypy's choice
    # among Store.get's overloads Any for the whole table (so does Flow's view).
    value: NotRequired[object]


class _DoubleDebitDetail(TypedDict):
    installment: Positive


class _RefundDetail(TypedDict):
    installment: Positive
    debited_on: IsoDate


class _ReInstalmentDetail(TypedDict):
    term: Positive


# The fields of a loan event's detail that servicing, explain and tickets read, by event (the
# rest of a detail is words for people, which read any value): a file edited by hand to hold
# another kind there is refused naming it, where a clock move or a report ended in a traceback.
# (A refused repayment's ask is not among them: earlier versions kept it as typed, unchecked.)
LOAN_EVENT_DETAILS: dict[str, Any] = {
    "double_debit": _DoubleDebitDetail,
    "double_debit_refunded": _RefundDetail,
    "repaid": Payment,
    "restructured": _ReInstalmentDetail,
}


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
    CREDIT: CreditEntry,
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
    """Validate every record of ``table`` (document id -> record); raise RecordProblem about
    the first thing wrong (the engine of every document, :func:`loancli.documents.read_document`:
    one msgspec pass for a sound record)."""
    kind = RECORD_TYPES.get(table)
    if kind is None:
        return
    for doc_id, doc in documents.items():
        if table == META:
            kind = _setting_type(doc)
        try:
            read_document(doc, kind, written=False)
            if table == LOANS:
                _check_event_details(doc)
        except DocumentInvalid as exc:
            field, problem = exc.problems[0]
            raise RecordProblem(
                table, record_name(table, doc_id, doc), field or "(record)", problem
            ) from None


def _check_event_details(loan: Any) -> None:
    """The fields of each event's detail that are read (:data:`LOAN_EVENT_DETAILS`), of a
    loan already checked against its type. (The few events of those kinds picked out first,
    by a comprehension: a loop over every event cost a third more on opening a large file.)"""
    events = loan.get("events", ())
    picked = [e for e in events if e["event"] in _DETAILED]
    if not picked:
        return
    by_kind: dict[str, list[Any]] = {}
    for event in picked:
        by_kind.setdefault(event["event"], []).append(event.get("detail", {}))
    try:
        # One pass a kind (a call an event cost most of the check).
        for name, details in by_kind.items():
            read_document(details, _DETAIL_LISTS[name], written=False)
    except DocumentInvalid:
        # Said at the first event that holds it, by its place among the loan's events.
        for n, event in enumerate(events):
            kind = LOAN_EVENT_DETAILS.get(event["event"])
            if kind is not None:
                detail = event.get("detail", {})
                read_document(detail, kind, path=f"events[{n}].detail", written=False)
        raise
    # A repayment of one installment names it: its ticket replays that installment (an empty
    # list was a traceback in every report of the loan; found by a hostile-input hunt).
    for detail in by_kind.get("repaid", ()):
        if detail.get("kind") == "installment" and not detail.get("installments"):
            n = next(i for i, e in enumerate(events) if e.get("detail") is detail)
            problem = _("a repayment of an installment names the installment it paid")
            raise DocumentInvalid("", [Problem(f"events[{n}].detail.installments", problem)])


_DETAILED = frozenset(LOAN_EVENT_DETAILS)
_LIST: Any = list
_DETAIL_LISTS: dict[str, Any] = {name: _LIST[kind] for name, kind in LOAN_EVENT_DETAILS.items()}


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
