"""Everything a journey's record keeps about the borrower, masked, as support reads it
(``applicants show``): what they typed (profile), the ID card read (identity), the
authorisations, the card, the review and why, the loan chosen, and how each run was started.

Masked as every output masks: phones ``138****8000``, names ``王**``, the ID number
``1101**********0017``, the card ``**** 3445``, the employer ``北京******公司``; the address
keeps its first six characters (the city and district), the birth date its year. The answers
a run was given are not shown (passwords are among them): only the keys set with ``--set``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loancli.masking import (
    Private,
    mask_address,
    mask_card,
    mask_employer,
    mask_id,
    mask_name,
    mask_phone,
    mask_text,
    private_words,
)


def _profile(record: Mapping[str, Any]) -> dict[str, Any] | None:
    profile = record.get("profile")
    if not profile:
        return None
    contact = profile.get("contact") or {}
    return {
        "employer": mask_employer(profile["employer"]) if profile.get("employer") else None,
        "monthly_income": profile.get("monthly_income"),
        "contact_name": mask_name(contact["name"]) if contact.get("name") else None,
        "contact_relation": contact.get("relation"),
        "contact_phone": mask_phone(contact["phone"]) if contact.get("phone") else None,
    }


def _identity(record: Mapping[str, Any]) -> dict[str, Any] | None:
    identity = record.get("identity")
    if not identity:
        return None
    born = identity.get("birth_date")
    return {
        "name": mask_name(identity["name"]) if identity.get("name") else None,
        "number": mask_id(identity["number"]) if identity.get("number") else None,
        "sex": identity.get("sex"),
        "birth_year": str(born)[:4] if born else None,
        "ethnicity": identity.get("ethnicity"),
        "address": mask_address(identity["address"]) if identity.get("address") else None,
        "authority": identity.get("authority"),
        "validity": identity.get("validity"),
        "verified_at": identity.get("verified_at"),
    }


def _card(record: Mapping[str, Any]) -> dict[str, Any] | None:
    card = record.get("card")
    if not card:
        return None
    return {
        "id": card.get("id"),
        "card": mask_card(card["number"]) if card.get("number") else None,
        "bank": card.get("bank"),
        "reserved_phone": mask_phone(card["reserved_phone"])
        if card.get("reserved_phone")
        else None,
    }


def _run(run: Mapping[str, Any], private: Private) -> dict[str, Any]:
    """How a run was started, without the answers it was given (only the keys --set); the
    files it named masked as paths (a folder named after the borrower)."""
    scenario, answers = run.get("scenario"), run.get("answers")
    return {
        "command": run.get("command"),
        "clock": run.get("clock"),
        "scenario": mask_text(scenario, private) if scenario else scenario,
        "seed": run.get("seed"),
        "lang": run.get("lang"),
        "answers": mask_text(answers, private) if answers else answers,
        "set": sorted({str(item).split("=", 1)[0] for item in run.get("set") or []}),
        "resume": run.get("resume"),
    }


def applicant_details(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a journey's record keeps about the borrower, masked (see the module's text)."""
    review = record.get("review")
    state = record.get("review_state") or {}
    private = private_words(record)
    return {
        "phone": mask_phone(record["phone"]) if record.get("phone") else None,
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
        "status": record.get("status"),
        "step": record.get("step"),
        "stopped_at": record.get("stopped_at"),
        "reason": record.get("reason"),
        "profile": _profile(record),
        "identity": _identity(record),
        "authorisations": dict(record["authorisations"]) if record.get("authorisations") else None,
        "card": _card(record),
        "review": {
            "approved": review.get("approved"),
            "credit_limit": review.get("credit_limit"),
            "apr": review.get("apr"),
            "why": list(review.get("why") or []),
            "submitted_at": state.get("submitted_at"),
            "ready_at": state.get("ready_at"),
        }
        if review
        else None,
        "loan": dict(record["loan"]) if record.get("loan") else None,
        "attempts": dict(record.get("attempts") or {}),
        "runs": [_run(run, private) for run in record.get("runs") or []],
    }
