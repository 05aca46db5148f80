"""Emergency contacts of an account: one ``contacts`` table shared by the journey's profile
step, ``contacts add / list / remove`` and checkout installments.

A contact is kept once per mobile number; adding the same number again updates it.
"""

from __future__ import annotations

from typing import Any

from loancli.masking import mask_name, mask_phone
from loancli.records import CONTACTS
from loancli.store import Store


def contacts_of(store: Store, phone: str) -> list[dict[str, Any]]:
    """The account's emergency contacts, oldest first."""
    return sorted(store.find(CONTACTS, phone=phone), key=lambda c: c["id"])


def save_contact(
    store: Store, phone: str, *, name: str, relation: str, mobile: str, at: str, source: str
) -> dict[str, Any]:
    """Add a contact to the account ``phone`` (or update the one with this mobile)."""
    fields = {"name": name, "relation": relation, "added_at": at, "source": source}
    existing = store.get(CONTACTS, phone=phone, mobile=mobile)
    if existing is not None:
        store.update(CONTACTS, fields, id=existing["id"])
        return {**existing, **fields}
    contact = {"id": store.next_id("contact", "K"), "phone": phone, "mobile": mobile, **fields}
    store.insert(CONTACTS, contact)
    return contact


def contact_view(contact: dict[str, Any]) -> dict[str, Any]:
    """What ``contacts list`` shows: masked."""
    return {
        "id": contact["id"],
        "name": mask_name(contact["name"]),
        "relation": contact["relation"],
        "mobile": mask_phone(contact["mobile"]),
        "added_at": contact["added_at"],
        "source": contact["source"],
    }
