"""Logging in, and the account's security: devices, two-step verification, lock and unlock.

A borrower logs in by mobile number or by ID number (known once the account's identity is
verified: a journey passed the ID upload, or a scenario preset), with the password or an SMS
login code, from the scenario's device. The account remembers the devices it trusts. A login
from another device must pass the account's two-step verification, as in the 小米 account's
security settings: ``confirm`` (the default) approves it on a trusted phone, ``code`` sends a
confirmation code by SMS. A new device in a city other than the last login's raises a risk
warning and an SMS to the owner.

Five wrong passwords lock the account for 24 simulated hours. Customer service (``support
unlock``), or the borrower from the locked login screen, unlocks it with identity proof (the
account holder's ID number plus a face check) and a forced password reset.

Each function here is a flow step, ``(journey, record) -> Stop | None``; ``login`` is the
journey's step 1 and the login of every other flow (``steps.login`` calls it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypedDict

from loancli.account.accounts import identity_of, new_account
from loancli.account.hashing import hash_secret, verify_secret
from loancli.account.security import (
    account_for,
    account_view,
    find_account,
    id_number_of,
    is_id_number,
    is_locked,
    require_locked,
)
from loancli.asking import asks
from loancli.clock import short_time
from loancli.errors import AnswersExhausted, InvalidAnswer, StateCorrupt
from loancli.i18n import _
from loancli.journey.core import FlowRecord, Journey, Record, Stop
from loancli.journey.face_check import compare_face
from loancli.journey.flows import run_flow
from loancli.journey.sms_code import CodeRequest, enter_code
from loancli.journey.texts import DEVICE_CODE_TEXT, LOGIN_CODE_TEXT, RISK_TEXT, UNLOCK_TEXT
from loancli.masking import mask_id, mask_phone
from loancli.questions import QuestionContext, check_journey_phone
from loancli.reasons import Reason
from loancli.records import ACCOUNTS, Account, LastLogin
from loancli.store.base import ADVICE

# Tries at typing the account holder's ID number before an unlock is refused.
UNLOCK_ID_ATTEMPTS = 3
# Tries at choosing a new password the app accepts (not the old one).
NEW_PASSWORD_ATTEMPTS = 3


def _now(j: Journey) -> datetime:
    return j.clock.now()


def _scripted(j: Journey, key: str) -> bool:
    """Whether a script (answers file, ``--set``, the scenario) answers ``key``."""
    return j.asker.scripted(key)


# login ----------------------------------------------------------------------------------


def _needs(register: bool) -> Callable[[Journey], list[str]]:
    """What a scripted login will ask after the number, known before anything is written: the
    password (or the SMS login code, by ``login_method``) of the account the script names, or
    the password that opens it; nothing when the login stops first (no such account, a
    locked one). A number not scripted is missing already, and so is what logs in with it
    (listed together: the password came to light only on the next run)."""

    def needs(j: Journey) -> list[str]:
        if j.asker.interactive or _scripted(j, "password") or _scripted(j, "login_code"):
            return []
        login_id = j.asker.peek("login_id") or j.asker.peek("phone")
        if login_id is None:
            return ["login_code" if j.asker.peek("login_method") == "sms" else "password"]
        account = find_account(j.store, login_id)
        if account is None:
            return ["password"] if register and not is_id_number(login_id) else []
        if is_locked(account, _now(j)):
            return []
        return ["login_code" if j.asker.peek("login_method") == "sms" else "password"]

    return needs


@asks("phone|login_id")
def login(j: Journey, record: Record) -> Stop | None:
    """Step 1 of the journey: asks ``phone`` (or takes a scripted ``login_id``), then for an
    existing account ``login_method`` (password or SMS code, default password); a new number's
    first login opens the account."""
    return _login(j, record, choose=False, register=True)


@asks("phone|login_id")
def login_existing(j: Journey, record: Record) -> Stop | None:
    """The login of every account flow (phone change, cards, contacts): as
    :func:`login`, but a number with no account stops with ``account_not_found`` (the flow
    is about an account; it never opens one), and at a prompt it asks for the mobile or the
    ID number, as the ``login`` command does."""
    return _login(j, record, choose=False, register=False)


@asks("login_id|phone")
def login_choosing(j: Journey, record: Record) -> Stop | None:
    """The ``login`` command: the borrower chooses mobile or ID number, password or SMS code;
    a new mobile number's first login opens the account (as the app's login screen does)."""
    return _login(j, record, choose=True, register=True)


login.needs = _needs(register=True)  # type: ignore[attr-defined]
login_existing.needs = _needs(register=False)  # type: ignore[attr-defined]
login_choosing.needs = _needs(register=True)  # type: ignore[attr-defined]


def _login(j: Journey, record: Record, choose: bool, register: bool) -> Stop | None:
    # The login command, and every account flow at a prompt (a flow is about an account that
    # exists, which its ID number opens as its number does), ask for either; a script names
    # the one it gives (``phone`` or ``login_id``).
    either = choose or (not register and j.asker.interactive)
    by_login_id = _scripted(j, "login_id") or (either and not _scripted(j, "phone"))
    key = "login_id" if by_login_id else "phone"
    # A journey resumed at its login (or the step run again) is its account's own.
    own: QuestionContext = {"journey_phone": record["phone"]} if record.get("phone") else {}
    if j.asker.interactive and not _scripted(j, key):
        # At a prompt, a number or ID number no account has is said and asked again: a typo
        # costs no flow. A script's login stops with account_not_found, as the app refuses it.
        own["check_account"] = lambda value: _no_account(j, value, register)
    login_id = j.asker.ask(key, own)
    account = find_account(j.store, login_id)
    if account is not None and own:
        try:
            check_journey_phone(account["phone"], own)
        except ValueError as exc:
            shown = mask_id(login_id) if len(login_id) == 18 else mask_phone(login_id)
            raise InvalidAnswer(key, shown, str(exc)) from None
    if account is None and is_id_number(login_id):
        j.event(record, "login_refused", Reason.ACCOUNT_NOT_FOUND, id_number=mask_id(login_id))
        return Stop(Reason.ACCOUNT_NOT_FOUND, f"no account has ID number {mask_id(login_id)}")
    if account is None and not register:
        j.event(record, "login_refused", Reason.ACCOUNT_NOT_FOUND, phone=mask_phone(login_id))
        return Stop(Reason.ACCOUNT_NOT_FOUND, f"no account has the number {mask_phone(login_id)}")
    phone = account["phone"] if account else login_id
    record["phone"] = phone
    if account is None:
        return _register(j, record, phone)
    # Every flow offers both ways in, at a prompt as in a script (default: the password).
    method = j.asker.ask("login_method")
    stop = _authenticate(j, record, account, method)
    if stop is not None:
        return stop
    account = j.store.get(ACCOUNTS, phone=phone) or account
    return _check_device(j, record, account, method)


def _no_account(j: Journey, login_id: str, register: bool) -> str | None:
    """Why ``login_id`` logs in to nothing (None when it does: an account has it, or a new
    mobile number's first login opens one)."""
    if find_account(j.store, login_id) is not None:
        return None
    if is_id_number(login_id):
        return _("no account has the ID number {id}; check it and enter it again").format(
            id=mask_id(login_id)
        )
    if register:
        return None
    return _("no account has the number {phone}; check it, or use the ID number").format(
        phone=mask_phone(login_id)
    )


def _register(j: Journey, record: Record, phone: str) -> Stop | None:
    """The first login creates the account, trusting the phone it was made on."""
    device = j.world.device
    j.asker.tell(
        _("No account uses {phone} yet: the password you choose now opens one.").format(
            phone=mask_phone(phone)
        )
    )
    password = j.asker.ask("password")
    account = new_account(
        phone, hash_secret(password, j.world.hashing), j.clock.isoformat(), [device.model]
    )
    j.store.insert(ACCOUNTS, {**account, **_login_fields(j)})
    j.event(record, "account_created", phone=mask_phone(phone), device=device.describe())
    return None


class LoginFields(TypedDict):
    """What a login leaves on the account: where and on what it was made."""

    # The last login's city (also in last_login; a scenario's preset may give it alone).
    last_city: str
    last_login: LastLogin


def _login_fields(j: Journey) -> LoginFields:
    device = j.world.device
    return {
        "last_city": device.city,
        "last_login": {"at": j.clock.isoformat(), "model": device.model, "city": device.city},
    }


def _authenticate(j: Journey, record: Record, account: Account, method: str) -> Stop | None:
    """The password (5 wrong ones lock the account) or an SMS login code."""
    phone = account["phone"]
    while True:
        if is_locked(account, _now(j)):
            return _locked_out(j, record, account)
        if method == "sms":
            return enter_code(
                j,
                record,
                CodeRequest("login", "login_code", LOGIN_CODE_TEXT, j.world.sms.account_sender),
                phone,
            )
        password = j.asker.ask("password")
        if _matches(j, password, account):
            account["wrong_passwords"] = 0
            j.store.update(ACCOUNTS, {"wrong_passwords": 0}, phone=phone)
            return None
        account["wrong_passwords"] = account.get("wrong_passwords", 0) + 1
        left = j.world.login.max_wrong - account["wrong_passwords"]
        fields: dict[str, int | str] = {"wrong_passwords": account["wrong_passwords"]}
        if left <= 0:
            locked_until = (_now(j) + j.world.login.lock).isoformat()
            account["locked_until"] = locked_until
            account["wrong_passwords"] = 0
            fields.update(locked_until=locked_until, wrong_passwords=0)
        j.store.update(ACCOUNTS, fields, phone=phone)
        j.fail(record, "password_refused", Reason.PASSWORD_WRONG, attempts_left=max(left, 0))
        if left > 0:
            # As the apps say it, so the lock does not come unannounced (a person typing saw
            # the same sentence four times, then the lock; found by a QA walk).
            j.asker.tell(
                _("Tries left before the account is locked: {left}.").format(left=left), "bad"
            )
        if left <= 0:
            j.event(record, "account_locked", Reason.ACCOUNT_LOCKED, until=account["locked_until"])


def _locked_out(j: Journey, record: Record, account: Account) -> Stop | None:
    """A locked account: stop, unless the borrower asks to unlock it with identity proof now
    (the same check as ``support unlock``); a passed unlock logs in with the new password."""
    until = account["locked_until"]
    # Said before the question (at a prompt): why it is asked, and until when.
    j.asker.tell(
        _("{why} It unlocks by itself at {until}.").format(
            why=Reason.ACCOUNT_LOCKED.sentence_in(j.facts),
            # Beijing time, to the second, as a timeline shows it (the lock holds until then).
            until=short_time(until or ""),
        ),
        "warn",
    )
    if not j.asker.ask("unlock_now"):
        # Beijing time to the second, as the warning above says it (not the stored ISO form).
        return Stop(Reason.ACCOUNT_LOCKED, f"locked until {short_time(until or '')}")
    j.event(record, "unlock_requested", locked_until=until)
    for step in UNLOCK_STEPS.values():
        stop = step(j, record)
        if stop is not None:
            return stop
    return None


# devices and two-step verification ------------------------------------------------------


def _check_device(j: Journey, record: Record, account: Account, method: str) -> Stop | None:
    device = j.world.device
    phone = account["phone"]
    trusted = list(account.get("trusted_devices") or [])
    if device.model not in trusted:
        j.event(
            record,
            "new_device",
            model=device.model,
            city=device.city,
            trusted_devices=list(trusted),
        )
        last_city = _last_city(account)
        if last_city and device.city != last_city:
            _risk_warning(j, record, phone, last_city)
        stop = _two_step(j, record, account, method)
        if stop is not None:
            return stop
        trusted.append(device.model)
        j.store.update(ACCOUNTS, {"trusted_devices": trusted}, phone=phone)
        j.event(record, "device_trusted", model=device.model, trusted_devices=list(trusted))
        j.asker.tell(
            _("{model} is now a trusted device of this account.").format(model=device.model),
            "good",
        )
    j.store.update(ACCOUNTS, _login_fields(j), phone=phone)
    j.event(record, "logged_in", phone=mask_phone(phone), device=device.describe(), method=method)
    return None


def _last_city(account: Account) -> str | None:
    """The city of the account's last login, as the login left it (``last_city``, a field
    the account record carries beyond its type)."""
    fields: Mapping[str, object] = account
    city = fields.get("last_city")
    return city if isinstance(city, str) else None


def _risk_warning(j: Journey, record: Record, phone: str, last_city: str) -> None:
    """An unusual login (new device in a new city): the owner is told at once by SMS."""
    device = j.world.device
    at = _now(j).strftime("%m月%d日%H:%M")
    text = RISK_TEXT.format(at=at, city=device.city, model=device.model, last_city=last_city)
    delivered = j.sms.deliver(phone, text, _now(j), j.world.sms.account_sender)
    j.event(
        record,
        "risk_warning",
        why="a new device in a city other than the last login's",
        model=device.model,
        city=device.city,
        last_city=last_city,
        notified=mask_phone(phone) if delivered else None,
    )
    told = (
        _("a security notice was sent to {phone}").format(phone=mask_phone(phone))
        if delivered
        else _("the security notice could not be delivered")
    )
    j.asker.tell(
        _(
            "Unusual login: new device {model} in {city} (last login in {last_city}); {told}."
        ).format(model=device.model, city=device.city, last_city=last_city, told=told),
        "warn",
    )


def _two_step(j: Journey, record: Record, account: Account, method: str) -> Stop | None:
    mode = account.get("two_step") or "confirm"
    trusted = list(account.get("trusted_devices") or [])
    model = j.world.device.model
    if mode == "confirm" and not trusted:
        # Nothing to approve on: the app sends the confirmation code instead.
        j.event(record, "two_step_fallback", mode="code", why="no trusted device to approve on")
        mode = "code"
    if mode == "code" and method == "sms":
        # The SMS login code already proved the phone, which is what the code would prove.
        j.event(record, "two_step_passed", mode="code", by="the SMS login code")
        return None
    if mode == "confirm":
        j.asker.tell(
            _("Login from a new device ({model}): approve it on your trusted phone ({on}).").format(
                model=model, on=", ".join(trusted)
            ),
            "warn",
        )
        j.event(record, "approval_requested", model=model, on=trusted)
        if j.asker.ask("device_confirm"):
            j.event(record, "two_step_passed", mode="confirm", approved_on=trusted[-1])
            return None
        j.fail(
            record,
            "two_step_failed",
            Reason.NEW_DEVICE_UNVERIFIED,
            mode="confirm",
            model=model,
            why="the login was not approved on a trusted phone",
        )
        return Stop(Reason.NEW_DEVICE_UNVERIFIED, "not approved on a trusted phone")
    try:
        stop = enter_code(
            j,
            record,
            CodeRequest("new_device", "device_code", DEVICE_CODE_TEXT, j.world.sms.account_sender),
            account["phone"],
        )
    except AnswersExhausted as exc:
        if j.last_reason is None:
            raise
        stop = Stop(j.last_reason, f"no more answers for {exc.key}")
    if stop is None:
        j.event(record, "two_step_passed", mode="code")
        return None
    j.fail(
        record,
        "two_step_failed",
        Reason.NEW_DEVICE_UNVERIFIED,
        mode="code",
        model=model,
        cause=stop.reason.value,
    )
    return Stop(Reason.NEW_DEVICE_UNVERIFIED, f"confirmation code not passed ({stop.reason})")


# unlock: identity proof and a forced password reset -------------------------------------


def _matches(j: Journey, secret: str, account: Account) -> bool:
    """Whether ``secret`` is the account's password; a hash the state file holds that is no
    hash loancli makes (an unknown scheme, costs no check should pay) is a damaged file."""
    try:
        return verify_secret(secret, account["password_hash"])
    except ValueError:
        problem = _("account {phone}: its password hash is not one loancli makes").format(
            phone=mask_phone(account["phone"])
        )
        raise StateCorrupt(
            _("state file {value0}: {exc}; {ADVICE}").format(
                value0=j.store.path, exc=problem, ADVICE=_(ADVICE)
            )
        ) from None


def _account(j: Journey, record: Record) -> Account:
    account = j.store.get(ACCOUNTS, phone=record["phone"])
    assert account is not None
    return account


def check_id_number(j: Journey, record: Record) -> Stop | None:
    """Identity proof, part 1: the account holder's ID number, as read at the ID upload."""
    expected = id_number_of(j.store, _account(j, record))
    if not expected:
        j.fail(
            record,
            "identity_refused",
            Reason.IDENTITY_FAILED,
            why="the account has no ID number on file: no application passed the ID upload",
        )
        return Stop(Reason.IDENTITY_FAILED, "no ID number on file")
    j.asker.tell(
        _(
            "The account of {phone} is locked. To unlock it: confirm the holder's ID number, "
            "pass a face check, then choose a new password."
        ).format(phone=mask_phone(record["phone"]))
    )
    for attempt in range(1, UNLOCK_ID_ATTEMPTS + 1):
        number = j.asker.ask("id_number")
        if number == expected:
            j.event(record, "id_number_matched", id_number=mask_id(number))
            return None
        j.fail(
            record,
            "identity_refused",
            Reason.IDENTITY_FAILED,
            attempt=attempt,
            id_number=mask_id(number),
            why="not the account holder's ID number",
        )
    return Stop(Reason.IDENTITY_FAILED, f"{UNLOCK_ID_ATTEMPTS} ID numbers not the holder's")


def check_face(j: Journey, record: Record) -> Stop | None:
    """Identity proof, part 2: the journey's face check (liveness and similarity)."""
    # The face is compared with the one enrolled from the ID card; a flow record (or a
    # journey still at login) has no identity of its own: the account's is on file.
    identity = record.get("identity")
    if identity is None:
        on_file = identity_of(j.store, record["phone"])
        enrolled = on_file.get("face_id") if on_file is not None else None
    else:
        enrolled = identity.get("face_id")
    try:
        stop = compare_face(j, record, enrolled)
    except AnswersExhausted as exc:
        if j.last_reason is None:
            raise
        stop = Stop(j.last_reason, f"no more answers for {exc.key}")
    if stop is None:
        return None
    j.fail(
        record,
        "identity_refused",
        Reason.IDENTITY_FAILED,
        why="face check failed",
        cause=stop.reason.value,
    )
    return Stop(Reason.IDENTITY_FAILED, f"face check: {stop.detail or stop.reason}")


def reset_password(j: Journey, record: Record) -> Stop | None:
    """The forced password reset that ends an unlock: clears the lock and the wrong count."""
    account = _account(j, record)
    password = None
    for _attempt in range(NEW_PASSWORD_ATTEMPTS):
        try:
            candidate = j.asker.ask("new_password")
        except AnswersExhausted:
            break
        if not _matches(j, candidate, account):
            password = candidate
            break
        j.asker.tell(_("The new password must differ from the old one."), "bad")
    if password is None:
        raise InvalidAnswer(
            "new_password", "(hidden)", _("the new password must differ from the old one")
        )
    phone = account["phone"]
    j.store.update(
        ACCOUNTS,
        {
            "password_hash": hash_secret(password, j.world.hashing),
            "locked_until": None,
            "wrong_passwords": 0,
            "password_reset_at": j.clock.isoformat(),
        },
        phone=phone,
    )
    delivered = j.sms.deliver(phone, UNLOCK_TEXT, _now(j), j.world.sms.account_sender)
    j.event(record, "password_reset", phone=mask_phone(phone))
    j.event(
        record,
        "account_unlocked",
        phone=mask_phone(phone),
        notified=mask_phone(phone) if delivered else None,
    )
    j.asker.tell(_("Account unlocked; log in with the new password from now on."), "good")
    return None


# The steps of ``support unlock``, in order; the locked login screen runs the same.
UNLOCK_STEPS: dict[str, Callable[[Journey, Record], Stop | None]] = {
    "identity": check_id_number,
    "face_check": check_face,
    "password_reset": reset_password,
}


def _with_account_view(j: Journey, flow: FlowRecord) -> FlowRecord:
    """The flow record with the account's masked security view (``device list``'s) as it is
    after the flow, for its result."""
    number = flow.get("phone")
    after = j.store.get(ACCOUNTS, phone=number) if number else None
    view = account_view(j.store, after, j.world.device, _now(j)) if after else None
    shown = flow.copy()
    shown["view"] = {"phone": mask_phone(number) if number else None, "account": view}
    return shown


def login_flow(j: Journey) -> FlowRecord:
    """``login``: by mobile or ID number, password or SMS code, with the device checks."""
    return _with_account_view(j, run_flow(j, "login", [("login", login_choosing)]))


def unlock_flow(j: Journey, raw_phone: str) -> FlowRecord:
    """``support unlock PHONE``: only a locked account can be unlocked (a ``RuleError``
    naming the phone otherwise)."""
    account = account_for(j.store, raw_phone)
    require_locked(account, _now(j))
    flow = run_flow(j, "unlock", list(UNLOCK_STEPS.items()), phone=account["phone"])
    return _with_account_view(j, flow)
