"""Stored journeys and flows as support lists and shows them: one masked line per record, and
one record as it is now (a journey's outcome with its loan's current plan, a flow's outcome
in plain words), as JSON-ready data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TypedDict, cast

import msgspec

from loancli.journey.core import FlowView
from loancli.journey.flows import FlowResult, flow_result
from loancli.journey.runner import JourneyResult, result_of
from loancli.loan.loans import LoanView, loan_view
from loancli.masking import mask_name, mask_phone, private_words, shown_texts
from loancli.records import APPLICANTS, FLOWS, LOANS, Applicant, Flow
from loancli.store import Store
from loancli.store.base import pick_fields
from loancli.support.details import applicant_details
from loancli.support.reporting import facts_of, is_flow, resolve


class ApplicantRow(TypedDict):
    """A journey on one line, masked."""

    id: str
    phone: str | None
    name: str | None
    status: str
    step: str
    reason: str | None
    updated_at: str | None


class FlowRow(TypedDict):
    """A flow on one line, masked."""

    id: str
    kind: str
    phone: str | None
    status: str
    step: str
    reason: str | None
    updated_at: str | None


def applicant_summary(record: Applicant) -> ApplicantRow:
    """A journey on one line (``applicants list``): masked phone and name, where it is; the
    same line the list reads from the record's fields alone."""
    return _applicant_line(pick_fields(record, APPLICANT_FIELDS))


def flow_summary(record: Flow) -> FlowRow:
    """A flow on one line (``flows list``): its kind, masked phone, where it is."""
    return _flow_line(pick_fields(record, FLOW_FIELDS))


# What a list line reads of each record (output name -> path in the record): the store reads
# these fields only, never the whole record.
APPLICANT_FIELDS = {
    "id": "id",
    "phone": "phone",
    "name": "identity.name",
    "status": "status",
    "step": "step",
    "reason": "reason",
    "updated_at": "updated_at",
}
FLOW_FIELDS = {
    "id": "id",
    "kind": "kind",
    "phone": "phone",
    "status": "status",
    "step": "step",
    "reason": "reason",
    "updated_at": "updated_at",
}
# Lines a page of ``applicants list`` / ``flows list`` shows.
PAGE_SIZE = 50


class Page(msgspec.Struct, frozen=True):
    """One page of a listing: its lines, which page of how many, and the records in all
    (``page`` 0 with ``--all``: every line, one page)."""

    rows: list[dict[str, object]]
    total: int
    page: int
    pages: int
    size: int

    @property
    def first(self) -> int:
        """The number (from 1) of the page's first line; 0 when it is empty."""
        if not self.rows:
            return 0
        return 1 if self.page == 0 else (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def whole(self) -> bool:
        """Whether the page holds every record (a short list, or ``--all``)."""
        return len(self.rows) == self.total


def _applicant_line(picked: Mapping[str, object]) -> ApplicantRow:
    phone, name = picked["phone"], picked["name"]
    return {
        "id": str(picked["id"]),
        "phone": mask_phone(phone) if isinstance(phone, str) and phone else None,
        "name": mask_name(name) if isinstance(name, str) and name else None,
        "status": str(picked["status"]),
        "step": str(picked["step"]),
        "reason": _text_or_none(picked["reason"]),
        "updated_at": _text_or_none(picked["updated_at"]),
    }


def _flow_line(picked: Mapping[str, object]) -> FlowRow:
    phone = picked["phone"]
    return {
        "id": str(picked["id"]),
        "kind": str(picked["kind"]),
        "phone": mask_phone(phone) if isinstance(phone, str) and phone else None,
        "status": str(picked["status"]),
        "step": str(picked["step"]),
        "reason": _text_or_none(picked["reason"]),
        "updated_at": _text_or_none(picked["updated_at"]),
    }


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def applicant_rows(store: Store) -> list[ApplicantRow]:
    _, picked = store.summaries(APPLICANTS, APPLICANT_FIELDS)
    return [_applicant_line(x) for x in picked]


def flow_rows(store: Store) -> list[FlowRow]:
    _, picked = store.summaries(FLOWS, FLOW_FIELDS)
    return [_flow_line(x) for x in picked]


def page_of(store: Store, table: str, page: int | None, size: int | None = None) -> Page:
    """Page ``page`` (from 1) of the list lines of ``table`` (applicants or flows), or every
    line with None; a page past the end is empty (the caller says how many there are)."""
    size = size or PAGE_SIZE
    fields, line = (
        (APPLICANT_FIELDS, _applicant_line) if table == APPLICANTS else (FLOW_FIELDS, _flow_line)
    )
    if page is None:
        total, picked = store.summaries(table, fields)
        return Page([dict(line(x)) for x in picked], total, 0, 1, size)
    total, picked = store.summaries(table, fields, offset=(page - 1) * size, limit=size)
    pages = max(1, -(-total // size))
    return Page([dict(line(x)) for x in picked], total, page, pages, size)


# A flow's own view before it completed, by its kind: the keys its JSON document always has
# (``card``: null until a card is bound), whichever command shows it.
EMPTY_VIEWS: dict[str, dict[str, object]] = {
    "change_phone": {"change": None},
    "card_bind": {"card": None},
    "card_unbind": {"card": None},
    "card_use": {"card": None, "loans": [], "changed": []},
    "contact_add": {"contact": None},
    "contact_remove": {"contact": None},
    "checkout": {"checkout": None, "schedule": []},
    "login": {"phone": None, "account": None},
    "unlock": {"phone": None, "account": None},
}


class FlowDocument(FlowResult, FlowView):
    """A flow's ``--json`` document (``card bind --json``, ``flows show --json``): its
    outcome, then the flow's own view (:class:`FlowView`'s keys, which hold None, a schedule
    an empty list, until the flow completed), then its events."""


def flow_document(record: Flow, facts: Mapping[str, str]) -> FlowDocument:
    """A flow's JSON document: its result (status, reason in words, advice), the flow's own
    view (its kind's :data:`EMPTY_VIEWS` until the flow completed: ``card bind --json`` and
    ``flows show --json`` give the same keys), then the events."""
    result = flow_result(record, facts)
    shown = {k: v for k, v in result.items() if k != "events"}
    # What the person wrote (a checkout's item) as every other output shows it.
    view = shown_texts(record.get("view", {}), private_words(record))
    empty = EMPTY_VIEWS.get(record["kind"], {})
    # The view as the flow wrote it (FlowView's keys; a state file keeps it as a mapping).
    return cast("FlowDocument", {**shown, **empty, **view, "events": result["events"]})


class RecordView(msgspec.Struct, frozen=True):
    """One journey or flow as it is now. ``result`` is a journey's result (its schedule the
    loan's current plan, with each installment's status) or a flow's document; ``loan_now``
    the journey's newest loan today, if it has one; ``details`` what the journey's record
    keeps about the borrower, masked (support/details.py)."""

    record: Applicant | Flow
    result: JourneyResult | FlowDocument
    loan_now: LoanView | None = None
    details: dict[str, object] | None = None

    @property
    def is_flow(self) -> bool:
        return is_flow(self.record)

    @property
    def flow(self) -> FlowDocument:
        """A flow's document (``TypeError`` for a journey, whose result is a JourneyResult)."""
        if not is_flow(self.record):
            raise TypeError(f"{self.record['id']} is a journey, not a flow")
        return cast("FlowDocument", self.result)

    def document(self) -> dict[str, object]:
        """The JSON document (``applicants show --json``, ``flows show --json``)."""
        if is_flow(self.record):
            return {"flow": flow_summary(self.record), **self.result}
        result: Mapping[str, object] = self.result
        return {
            "applicant": applicant_summary(self.record),
            **{k: result[k] for k in ("loan", "schedule", "events")},
            "loan_now": self.loan_now,
            "details": self.details,
        }


def record_view(store: Store, record_id: str, today: date) -> RecordView:
    """The journey or flow ``record_id`` names (a loan id names the record that made it)."""
    record = resolve(store, record_id)
    facts = facts_of(record)
    if is_flow(record):
        return RecordView(record, flow_document(record, facts))
    loans = store.find(LOANS, applicant_id=record["id"])
    now = loan_view(max(loans, key=lambda x: x["id"]), today) if loans else None
    result = result_of(record, facts)
    if now is not None:
        # The loan as it is now: the current plan (re-planned after a prepayment or a
        # re-instalment) with each installment's status, penalty and paid date.
        result["schedule"] = list(now["installments"])
    return RecordView(record, result, now, applicant_details(record))
