"""The records of the state file: their table names, their types, and the check on load.

Records are ``TypedDict`` types: at run time they stay the plain JSON objects TinyDB stores (so
a state file is readable by anything that reads JSON, and the store needs no mapping layer),
and mypy checks the code that reads them. :func:`check_table` validates every record of a table
with msgspec when the state file is opened, so a damaged record is refused with the table, the
record id and the field, before anything reads or writes it.

A record may carry fields beyond those typed here (each flow keeps what its steps recorded);
the types name what the code relies on.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, NotRequired, TypedDict

import msgspec

APPLICANTS = "applicants"
FLOWS = "flows"
ACCOUNTS = "accounts"
LOANS = "loans"
CARDS = "cards"
CONTACTS = "contacts"
SMS_INBOX = "sms_inbox"
OTP_CODES = "otp_codes"
META = "meta"

Status = Literal["in_progress", "stopped", "completed"]
NonEmpty = msgspec.Meta(min_length=1)


class Event(TypedDict):
    """One thing that happened in a journey or flow, in simulated time; detail is masked."""

    at: str
    event: str
    step: NotRequired[str | None]
    reason: NotRequired[str | None]
    detail: NotRequired[dict[str, Any]]


class Run(TypedDict, total=False):
    """How one run of a journey or flow was started: what a report replays."""

    command: str
    clock: str
    seed: int
    scenario: str
    answers: str | None
    set: list[str]
    resume: str | None
    step: str


class _Progress(TypedDict):
    id: Annotated[str, NonEmpty]
    status: Status
    step: str
    created_at: str
    events: list[Event]
    runs: NotRequired[list[Run]]
    stopped_at: NotRequired[str | None]
    reason: NotRequired[str | None]
    updated_at: NotRequired[str]
    phone: NotRequired[str]


class Applicant(_Progress):
    """A borrower's loan journey, step by step."""

    seed: NotRequired[int]
    profile: NotRequired[dict[str, Any]]
    identity: NotRequired[dict[str, Any]]
    review: NotRequired[dict[str, Any]]
    loan: NotRequired[dict[str, Any]]
    card: NotRequired[dict[str, Any]]
    schedule: NotRequired[dict[str, Any]]
    attempts: NotRequired[dict[str, int]]


class Flow(_Progress):
    """A run of an account flow (phone change, card bind, checkout, unlock...)."""

    kind: str


class Account(TypedDict):
    """The account behind a mobile number; the password only as its hash."""

    phone: Annotated[str, NonEmpty]
    password_hash: Annotated[str, NonEmpty]
    created_at: str
    wrong_passwords: NotRequired[int]
    locked_until: NotRequired[str | None]
    repayment_day: NotRequired[int | None]
    trusted_devices: NotRequired[list[str]]
    two_step: NotRequired[Literal["confirm", "code"]]


class Line(TypedDict):
    """One installment of a loan as it is serviced."""

    n: int
    due_date: str
    principal: str
    interest: str
    total: str
    status: str
    fee: NotRequired[str]
    penalty: NotRequired[str]
    paid: NotRequired[dict[str, str]]
    paid_on: NotRequired[str | None]


class Loan(TypedDict):
    """A disbursed loan, its installments and what was paid."""

    id: Annotated[str, NonEmpty]
    applicant_id: str
    phone: str
    status: str
    amount: str
    term: int
    card_number: str
    loan_date: str
    lines: Annotated[list[Line], NonEmpty]
    events: NotRequired[list[dict[str, Any]]]
    payout_id: NotRequired[str]


class Card(TypedDict):
    """A bank card bound to an account; the transaction password only as its hash."""

    id: Annotated[str, NonEmpty]
    phone: str
    number: Annotated[str, NonEmpty]
    status: str
    card_type: str
    bank: str
    reserved_phone: str
    bound_at: str
    source: str
    rebind_required: NotRequired[bool]
    expiry: NotRequired[str | None]
    transaction_password_hash: NotRequired[str]


class Contact(TypedDict):
    """An emergency contact of an account."""

    id: Annotated[str, NonEmpty]
    phone: str
    mobile: str
    name: str
    relation: str
    added_at: str
    source: str


class SmsMessage(TypedDict):
    """A message in a simulated phone's inbox."""

    phone: str
    sender: str
    text: str
    sent_at: str
    arrives_at: str
    code: NotRequired[str | None]


class OtpCode(TypedDict):
    """A one-time code the SMS service issued, stored hashed."""

    phone: str
    purpose: str
    sender: str
    code_hash: str
    sent_at: str
    expires_at: str
    wrong: int
    active: bool


class Meta(TypedDict):
    """A setting of the state file itself (schema version, clock, id counters)."""

    key: str
    version: NotRequired[int]
    value: NotRequired[Any]


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
_ID_FIELDS = {ACCOUNTS: "phone", META: "key"}
# Meta values that must be of a given form.
_META_DATETIMES = {"clock"}


class RecordProblem(Exception):
    """A record that does not fit its type: where it is and what is wrong."""

    def __init__(self, table: str, record: str, field: str, problem: str) -> None:
        self.table, self.record, self.field, self.problem = table, record, field, problem
        super().__init__(f"table {table!r}, record {record}, field {field!r}: {problem}")


def check_table(table: str, documents: dict[str, Any]) -> None:
    """Validate every record of ``table`` (document id -> record); raise RecordProblem."""
    kind = RECORD_TYPES.get(table)
    if kind is None:
        return
    for doc_id, doc in documents.items():
        record = _record_name(table, doc_id, doc)
        try:
            msgspec.convert(doc, kind)
        except msgspec.ValidationError as exc:
            field, problem = _explain(str(exc))
            raise RecordProblem(table, record, field, problem) from None
        if table == META and doc.get("key") in _META_DATETIMES:
            _check_datetime(table, record, doc.get("value"))


def _record_name(table: str, doc_id: str, doc: Any) -> str:
    field = _ID_FIELDS.get(table, "id")
    value = doc.get(field) if isinstance(doc, dict) else None
    if isinstance(value, str) and value:
        return repr(_masked(field, value))
    return f"#{doc_id}"


def _masked(field: str, value: str) -> str:
    if field == "phone" and len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value


def _check_datetime(table: str, record: str, value: Any) -> None:
    try:
        if not isinstance(value, str):
            raise ValueError
        datetime.fromisoformat(value)
    except ValueError:
        shown = value if isinstance(value, str | int | float) else type(value).__name__
        raise RecordProblem(table, record, "value", f"{shown!r} is not an ISO date-time") from None


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"missing required field `(?P<field>[^`]+)`")


def _explain(message: str) -> tuple[str, str]:
    """msgspec's message as (field path, what is wrong): ``events``, ``expected array, got str``."""
    path = ""
    match = _AT.search(message)
    if match:
        path = match["path"].lstrip(".")
        message = message[: match.start()]
    missing = _MISSING.search(message)
    if missing:
        field = f"{path}.{missing['field']}" if path else missing["field"]
        return field, "missing"
    message = message.replace("`", "")
    return path or "(record)", message[0].lower() + message[1:]
