"""Emergency contacts of an account: one ``contacts`` table shared by the journey's profile
step, ``contacts add / list / remove`` and checkout installments.

A contact is kept once per mobile number; adding the same number again updates it.
"""

from __future__ import annotations

from typing import TypedDict

from loancli.masking import mask_name, mask_phone
from loancli.records import CONTACTS, Contact
from loancli.store import Store


class ContactView(TypedDict):
    """A contact as ``contacts list`` shows it: masked."""

    id: str
    name: str
    relation: str
    mobile: str
    added_at: str
    source: str


def contacts_of(store: Store, phone: str) -> list[Contact]:
    """The account's emergency contacts, oldest first."""
    return sorted(store.find(CONTACTS, phone=phone), key=lambda c: c["id"])


def save_contact(
    store: Store, phone: str, *, name: str, relation: str, mobile: str, at: str, source: str
) -> Contact:
    """Add a contact to the account ``phone`` (or update the one with this mobile)."""
    existing = store.get(CONTACTS, phone=phone, mobile=mobile)
    contact: Contact = {
        "id": existing["id"] if existing is not None else store.next_id("contact", "K"),
        "phone": phone,
        "mobile": mobile,
        "name": name,
        "relation": relation,
        "added_at": at,
        "source": source,
    }
    if existing is not None:
        fields = {k: v for k, v in contact.items() if k not in ("id", "phone", "mobile")}
        store.update(CONTACTS, fields, id=existing["id"])
        return {**existing, **contact}
    store.insert(CONTACTS, contact)
    return contact


def contact_view(contact: Contact) -> ContactView:
    """What ``contacts list`` shows: masked."""
    return {
        "id": contact["id"],
        "name": mask_name(contact["name"]),
        "relation": contact["relation"],
        "mobile": mask_phone(contact["mobile"]),
        "added_at": contact["added_at"],
        "source": contact["source"],
    }
