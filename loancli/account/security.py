"""Account security: the login lock policy, finding an account by mobile or ID number, trusted
devices, the two-step verification mode, and what an unlock requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Protocol, TypedDict

from loancli.account.accounts import TWO_STEP_MODES, TwoStep, Unknown, identity_of
from loancli.errors import RuleError, quoted
from loancli.i18n import _
from loancli.masking import mask_id, mask_phone
from loancli.questions import QUESTIONS
from loancli.records import ACCOUNTS, Account, DeviceChange, LastLogin
from loancli.store import Store
from loancli.validation import Range, check_text


@dataclass
class LoginPolicy:
    """How the app guards the password: wrong tries before a lock, and how long it lasts."""

    max_wrong: Annotated[int, Range(1, 20)] = 5
    lock: Annotated[timedelta, Range(timedelta(0), timedelta(days=30))] = timedelta(hours=24)


class Device(Protocol):
    """The phone the app runs on, as far as the account's security view shows it (the world's
    ``DeviceSettings``)."""

    @property
    def model(self) -> str: ...

    @property
    def city(self) -> str: ...


class ThisDevice(TypedDict):
    model: str
    city: str
    trusted: bool


class AccountView(TypedDict):
    """The masked, JSON-ready security view of an account (``device list``)."""

    phone: str
    id_number: str | None
    two_step: TwoStep
    trusted_devices: list[str]
    this_device: ThisDevice
    last_login: LastLogin | None
    locked_until: str | None


def is_id_number(login_id: str) -> bool:
    """A login identifier is an ID number (18 characters) or a mobile number (11 digits)."""
    return len(login_id) == 18


def id_number_of(store: Store, account: Account) -> str | None:
    """The account holder's ID number: the verified identity's (a journey's ID upload, or
    a scenario preset), else None."""
    identity = identity_of(store, account["phone"])
    return identity.get("number") if identity is not None else None


def find_account(store: Store, login_id: str) -> Account | None:
    """The account behind a mobile number or an ID number."""
    if not is_id_number(login_id):
        return store.get(ACCOUNTS, phone=login_id)
    for account in store.all(ACCOUNTS):
        if id_number_of(store, account) == login_id:
            return account
    return None


def account_for(store: Store, raw: str) -> Account:
    """The account a command names by mobile or ID number; a refusal names the field
    ``phone``."""
    try:
        login_id = QUESTIONS["login_id"].parse(raw)
    except ValueError as exc:
        # Masked, as anything a person typed for an account; only a command's own placeholder
        # (PHONE, pasted from a hint) is said as it is (it read '*HONE').
        placeholder = re.fullmatch(r"[A-Z_]{2,20}", raw) is not None
        shown = raw if placeholder else mask_id(raw) if len(raw) > 11 else mask_phone(raw)
        raise RuleError(
            "phone", _("{value0} is not accepted: {exc}").format(value0=quoted(shown), exc=exc)
        ) from None
    account = find_account(store, login_id)
    if account is None:
        shown = mask_id(login_id) if is_id_number(login_id) else mask_phone(login_id)
        raise Unknown(
            "phone",
            _("no account for {shown} in the state file {value0}").format(
                shown=shown, value0=store.path
            ),
        )
    return account


def is_locked(account: Account, now: datetime) -> bool:
    until = account.get("locked_until")
    return until is not None and now < datetime.fromisoformat(until)


def require_locked(account: Account, now: datetime) -> None:
    """Only a locked account can be unlocked: a refusal names the field ``phone``."""
    if not is_locked(account, now):
        raise RuleError(
            "phone",
            _("the account of {value0} is not locked; nothing to unlock").format(
                value0=mask_phone(account["phone"])
            ),
        )


def check_model(raw: str) -> str:
    """A device model as the app records it (``Redmi Note 13``): text of at most 50
    characters; a refusal is a ``RuleError`` naming ``model``."""
    try:
        return check_text(raw, max_len=50)
    except ValueError as exc:
        raise RuleError("model", _("not accepted: {problem}").format(problem=exc)) from None


def trust_device(store: Store, account: Account, model: str, at: str) -> bool:
    """Add a trusted device at ``at``; False if it already was."""
    trusted = list(account.get("trusted_devices") or [])
    if model in trusted:
        return False
    trusted.append(model)
    _changed(store, account, {"trusted_devices": trusted}, _change(store, at, "trust", model))
    return True


def forget_device(store: Store, account: Account, model: str, at: str) -> None:
    """Remove a trusted device at ``at``; its next login needs the two-step verification
    again."""
    trusted = list(account.get("trusted_devices") or [])
    if model not in trusted:
        known = ", ".join(trusted) or _("none")
        raise Unknown(
            "model",
            _("{model!r} is not a trusted device of {value0} (trusted: {known})").format(
                model=model, value0=mask_phone(account["phone"]), known=known
            ),
        )
    trusted.remove(model)
    _changed(store, account, {"trusted_devices": trusted}, _change(store, at, "forget", model))


def two_step_mode(text: str) -> TwoStep:
    """A two-step verification mode by its name; a refusal names the field ``mode``."""
    for mode in TWO_STEP_MODES:
        if text == mode:
            return mode
    raise RuleError(
        "mode",
        _("{mode!r} is not a mode; choose {value0}").format(
            mode=text, value0=" or ".join(TWO_STEP_MODES)
        ),
    )


def set_two_step(store: Store, account: Account, mode: str, at: str) -> None:
    chosen = two_step_mode(mode)
    _changed(store, account, {"two_step": chosen}, _change(store, at, "two_step", chosen))


def _change(
    store: Store, at: str, change: Literal["trust", "forget", "two_step"], value: str
) -> DeviceChange:
    return {"at": at, "seq": store.next_seq(), "change": change, "value": value}


def _changed(store: Store, account: Account, fields: dict[str, Any], change: DeviceChange) -> None:
    """``fields`` set on the account, and ``change`` kept in its history of device changes
    (what a ticket of a later login makes again)."""
    fields = {**fields, "device_changes": [*account.get("device_changes", []), change]}
    store.update(ACCOUNTS, fields, phone=account["phone"])
    account.update(fields)  # type: ignore[typeddict-item]


def account_view(store: Store, account: Account, device: Device, now: datetime) -> AccountView:
    """The masked, JSON-ready security view of an account (``device list``)."""
    trusted = list(account.get("trusted_devices") or [])
    number = id_number_of(store, account)
    return {
        "phone": mask_phone(account["phone"]),
        "id_number": mask_id(number) if number else None,
        "two_step": account.get("two_step") or "confirm",
        "trusted_devices": trusted,
        "this_device": {
            "model": device.model,
            "city": device.city,
            "trusted": device.model in trusted,
        },
        "last_login": account.get("last_login"),
        "locked_until": account["locked_until"] if is_locked(account, now) else None,
    }
