"""Looking after a state file: what it holds, moving it between backends, dropping old
journeys. Each works on any backend through the repository API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import msgspec

from loancli.dburl import ServerUrl
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.records import (
    APPLICANTS,
    CREDIT,
    FLOWS,
    LOANS,
    META,
    OTP_CODES,
    SMS_INBOX,
    Loan,
    OtpCode,
    SmsMessage,
    Table,
)
from loancli.store.base import (
    SCHEMA_KEY,
    Location,
    Store,
    doc_id_of,
    empty_server,
    holds_records,
)

# The meta setting naming the grade a state file hashes passwords at ("argon2id" or "fast"),
# recorded when the file is made (journey.session.file_grade); a file without it is argon2id.
HASHING_KEY = "hashing"


class Info(msgspec.Struct):
    """What ``state info`` tells of a world (``path`` names a server with its password
    masked)."""

    path: str
    backend: str
    size: int
    counts: dict[str, int]
    hashing: str = "argon2id"
    # The records' schema version (meta ``schema``), and a server's own database schema
    # version (``loancli_schema``; None for a file).
    schema: int | None = None
    database_schema: int | None = None
    # ``state convert``: the world the records came from (masked like ``path``).
    source: str = ""


def info(store: Store) -> Info:
    """The backend, the size on disk, the schema versions, how many records each table holds
    and the grade its passwords are hashed at."""
    counts = {name: store.count(name) for name in sorted(store.tables())}
    hashing = str(store.meta_get(HASHING_KEY) or "argon2id")
    stamped = store.get(META, key=SCHEMA_KEY)
    version = stamped.get("version") if stamped is not None else None
    return Info(
        str(store.path),
        store.backend,
        store.size(),
        counts,
        hashing,
        schema=version if isinstance(version, int) else None,
        database_schema=store.database_schema,
    )


def convert(source: Location, target: Location) -> Info:
    """Copy every record of ``source`` into a new ``target`` (a file of either backend, by
    suffix, or a server's empty world), keeping every document and its id; ``target`` must
    hold nothing yet."""
    if holds_records(target):
        raise RuleError(
            "to",
            _("{target} exists already; convert writes a new file only").format(target=target)
            if isinstance(target, Path)
            else _(
                "{target} holds records already; convert writes into an empty world only"
            ).format(target=target),
        )
    if isinstance(source, Path) and not source.exists():
        raise RuleError("from", _("{source} does not exist").format(source=source))
    with Store(source, read_only=True) as old:
        if isinstance(source, ServerUrl) and (old.database_schema == 0 or not old.tables()):
            # A mistyped database or search_path: no world to copy, not an empty one (an
            # empty backup written, exit 0, said nothing of it); so is a world a command's
            # open made the tables of and wrote nothing in.
            raise empty_server(source, "from")
        data = old.dump()
    with Store(target, create_dirs=False) as new:
        schema = new.dump()
        new.restore({**data, "meta": {**schema.get("meta", {}), **data.get("meta", {})}})
        made = info(new)
    made.source = str(source)
    return made


class Pruned(msgspec.Struct):
    before: str
    applicants: list[str] = msgspec.field(default_factory=list)
    loans: list[str] = msgspec.field(default_factory=list)
    flows: list[str] = msgspec.field(default_factory=list)
    messages: int = 0
    codes: int = 0


def prune(
    store: Store,
    before: date,
    owed_back: Callable[[Loan], Decimal],
    keep_debits: Callable[[Store, list[Loan]], None],
) -> Pruned:
    """Drop the journeys closed before ``before`` (stopped, or completed with every loan
    settled), their loans, the flows finished before it (a checkout, once its loan is settled,
    with its loan), and the SMS messages and codes sent before it to the pruned applicants'
    numbers that no journey or flow kept has; all in one unit. The loan layer's rules, which
    the store cannot import, come with the call: what a loan still owes the borrower back
    (``owed_back``: it is kept until refunded), and what its debits took from its card
    (``keep_debits``, told of the loans pruned)."""
    cutoff = before.isoformat()
    done = Pruned(cutoff)
    with store.transaction(whole_world=True):
        loans = store.all(LOANS)
        # The cards running loans are debited from: what a settled loan's debits took from one
        # is part of what it holds (loan.debits.spent_on), so that loan stays while they run.
        live = {loan["card_number"] for loan in loans if loan["status"] == "active"}
        pruned: list[Loan] = []
        phones: set[str | None] = set()
        kept_phones: set[str | None] = set()
        for app in store.all(APPLICANTS):
            own = [loan for loan in loans if loan["applicant_id"] == app["id"]]
            closed = app["status"] == "stopped" or (
                app["status"] == "completed" and _settled(own, live, owed_back)
            )
            if closed and _day(app.get("updated_at", app["created_at"])) < cutoff:
                done.applicants.append(app["id"])
                done.loans += [x["id"] for x in own]
                store.remove_ids(APPLICANTS, {doc_id_of(app)})
                store.remove_ids(LOANS, {doc_id_of(x) for x in own})
                pruned += own
                phones.add(app.get("phone"))
            else:
                kept_phones.add(app.get("phone"))
        for flow in store.all(FLOWS):
            # A loan names the checkout that paid it out: the two go together.
            own = [loan for loan in loans if loan["applicant_id"] == flow["id"]]
            finished = flow["status"] != "in_progress" and _settled(own, live, owed_back)
            if finished and _day(flow.get("updated_at", "")) < cutoff:
                done.flows.append(flow["id"])
                done.loans += [x["id"] for x in own]
                store.remove_ids(FLOWS, {doc_id_of(flow)})
                store.remove_ids(LOANS, {doc_id_of(x) for x in own})
                pruned += own
            else:
                kept_phones.update({flow.get("phone"), flow.get("new_phone")})
        # A number's messages and codes are not told apart by journey: while a journey or
        # flow kept has the number (a second loan of the same account), they all stay.
        for phone in sorted(p for p in phones - kept_phones if p):
            done.messages += _drop_sent(store, SMS_INBOX, phone, cutoff)
            done.codes += _drop_sent(store, OTP_CODES, phone, cutoff)
        # A pruned loan's credit-bureau entries go with it (they name it): one read for all.
        _drop_credit(store, pruned)
        # What its debits took from its card stays taken (the bank does not forget it), in
        # the same unit.
        if pruned:
            keep_debits(store, pruned)
    return done


def _drop_credit(store: Store, loans: list[Loan]) -> None:
    """The credit-bureau entries of ``loans``, removed."""
    if not loans:
        return
    ids = {x["id"] for x in loans}
    gone = {doc_id_of(x) for x in store.all(CREDIT) if x["loan"] in ids}
    if gone:
        store.remove_ids(CREDIT, gone)


def _settled(loans: list[Loan], live: set[str], owed_back: Callable[[Loan], Decimal]) -> bool:
    """Every loan closed, owing the borrower nothing back from a double debit (a lender that
    refunds it later finds it, and says so, on its day), and its card debited for no running
    loan (``live``)."""
    return all(
        loan["status"] != "active" and owed_back(loan) <= 0 and loan["card_number"] not in live
        for loan in loans
    )


def _drop_sent(
    store: Store, table: Table[SmsMessage] | Table[OtpCode], phone: str, cutoff: str
) -> int:
    sent = [(doc_id_of(doc), doc["sent_at"]) for doc in store.find(table, phone=phone)]
    old = {number for number, at in sent if _day(at) < cutoff}
    store.remove_ids(table, old)
    return len(old)


def _day(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).date().isoformat()
    except ValueError:
        return ""
