"""Fake SMS gateway and the one-time-code service behind the app's SMS verification.

The numbers a support person asks about ("how long is a code valid?") are the named
settings of :class:`SmsSettings`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

import msgspec

from loancli.clock import Rng
from loancli.reasons import Reason
from loancli.records import OTP_CODES, SMS_INBOX, OtpCode, SmsMessage
from loancli.store import Store
from loancli.validation import Check, Range, check_mobile
from loancli.world.providers.faults import NEVER, Fault


@dataclass
class SmsSettings:
    code_length: Annotated[int, Range(4, 8)] = 6
    validity: Annotated[timedelta, Range(timedelta(seconds=10), timedelta(days=1))] = timedelta(
        minutes=5
    )
    resend_after: Annotated[timedelta, Range(timedelta(0), timedelta(hours=1))] = timedelta(
        seconds=60
    )
    max_wrong: Annotated[int, Range(1, 20)] = 5  # wrong entries before a code dies
    max_per_hour: Annotated[int, Range(1, 100)] = 5
    max_per_day: Annotated[int, Range(1, 1000)] = 10
    # Code requests the app allows in one step before it stops offering "resend".
    max_requests: Annotated[int, Range(1, 50)] = 6
    delivery_delay: Annotated[timedelta, Range(timedelta(0), timedelta(days=1))] = timedelta(0)
    delivered: bool = True
    # Messages go to this number instead (the borrower's old number, after a change).
    deliver_to: Annotated[str, Check(check_mobile)] | None = None
    # The SMS gateway refuses to send (outage).
    outage: Fault = NEVER
    sender: str = "106912345"  # the lender's SMS channel number
    # The account's own channel (login and new-device codes, security notices): its codes
    # are limited apart from the lender's, as a separate sender is.
    account_sender: str = "106900000"
    # Numbers that cannot receive SMS (out of service, suspended,
    # not registered): nothing sent to them arrives, and a phone change to one is refused.
    unreachable: list[Annotated[str, Check(check_mobile)]] = field(default_factory=list)


class SendResult(msgspec.Struct):
    ok: bool
    reason: Reason | None = None
    code: str | None = None
    retry_at: datetime | None = None
    message: str = ""


class CheckResult(msgspec.Struct):
    ok: bool
    reason: Reason | None = None
    wrong_left: int = 0


def _hash(code: str, purpose: str, phone: str) -> str:
    return hashlib.sha256(f"{purpose}:{phone}:{code}".encode()).hexdigest()


class SmsService:
    """Sends codes through the fake gateway into the simulated phone's inbox, and checks them.

    Codes are stored hashed; the plain code exists only in the inbox message, as on a phone.
    """

    INBOX = SMS_INBOX
    CODES = OTP_CODES

    def __init__(self, settings: SmsSettings, store: Store) -> None:
        self.settings = settings
        self.store = store

    def deliver(
        self,
        phone: str,
        text: str,
        now: datetime,
        sender: str | None = None,
        code: str | None = None,
    ) -> bool:
        """Put a message in the phone's inbox (after the gateway's delay), unless undeliverable."""
        if not self.settings.delivered or self.unreachable(self.settings.deliver_to or phone):
            return False
        message: SmsMessage = {
            "phone": self.settings.deliver_to or phone,
            "sender": sender or self.settings.sender,
            "text": text,
            "code": code,
            "sent_at": now.isoformat(),
            "arrives_at": (now + self.settings.delivery_delay).isoformat(),
        }
        self.store.insert(self.INBOX, message)
        return True

    def unreachable(self, phone: str) -> bool:
        """Can this number not receive SMS at all (the scenario's ``unreachable``)?"""
        return phone in self.settings.unreachable

    def inbox(self, phone: str, now: datetime | None = None) -> list[SmsMessage]:
        """Messages arrived by ``now`` (all of them when ``now`` is None), oldest first."""
        return arrived(self.store, phone, now)

    def newest_code(self, phone: str, now: datetime, sender: str | None = None) -> str | None:
        """The code in the newest arrived message (what ``auto`` types)."""
        for message in reversed(self.inbox(phone, now)):
            if sender and message["sender"] != sender:
                continue
            code = message.get("code")
            if code:
                return code
        return None

    def in_flight(self, phone: str, now: datetime, sender: str | None = None) -> datetime | None:
        """When the newest code still on its way to ``phone`` arrives (None if nothing is)."""
        pending = [
            m
            for m in self.store.find(self.INBOX, phone=phone)
            if m.get("code")
            and (not sender or m["sender"] == sender)
            and datetime.fromisoformat(m["arrives_at"]) > now
        ]
        if not pending:
            return None
        return max(datetime.fromisoformat(m["arrives_at"]) for m in pending)

    def send_code(
        self,
        phone: str,
        purpose: str,
        now: datetime,
        rng: Rng,
        text: str,
        sender: str | None = None,
    ) -> SendResult:
        """Issue a new code, respecting the resend wait and the hourly and daily caps."""
        s = self.settings
        sender = sender or s.sender
        # Limits are per number and per sending channel (the lender's, a bank's).
        sent = [
            datetime.fromisoformat(c["sent_at"])
            for c in self.store.find(self.CODES, phone=phone, sender=sender)
        ]
        if s.outage.fires(len(sent) + 1, rng.derive("outage")):
            return SendResult(
                False, Reason.SMS_GATEWAY_DOWN, message="the SMS service did not accept the request"
            )
        # The caps come first: when one binds, its wait is the longer one, and telling the
        # borrower "in 50 s" only to refuse them then would mislead.
        for window, cap, name in (
            (timedelta(days=1), s.max_per_day, "a day"),
            (timedelta(hours=1), s.max_per_hour, "an hour"),
        ):
            recent = sorted(t for t in sent if now - t < window)
            if len(recent) >= cap:
                retry_at = recent[len(recent) - cap] + window
                return SendResult(
                    False,
                    Reason.SMS_SEND_LIMIT,
                    retry_at=retry_at,
                    message=f"at most {cap} codes {name} to one number; the next one can be "
                    f"requested at {retry_at.isoformat()}",
                )
        if sent:
            last = max(sent)
            if now - last < s.resend_after:
                wait = math.ceil((last + s.resend_after - now).total_seconds())
                return SendResult(
                    False,
                    Reason.SMS_RESEND_TOO_SOON,
                    retry_at=last + s.resend_after,
                    message=f"a new code can be requested in {wait} s",
                )
        code = rng.digits(s.code_length)
        # A new code replaces any earlier one for the same purpose.
        self.store.update(self.CODES, {"active": False}, phone=phone, purpose=purpose)
        issued: OtpCode = {
            "phone": phone,
            "purpose": purpose,
            "sender": sender,
            "code_hash": _hash(code, purpose, phone),
            "sent_at": now.isoformat(),
            "expires_at": (now + s.validity).isoformat(),
            "wrong": 0,
            "active": True,
        }
        self.store.insert(self.CODES, issued)
        minutes = int(s.validity.total_seconds() // 60)
        body = text.format(code=code, minutes=minutes)
        delivered = self.deliver(phone, body, now, sender, code)
        return SendResult(
            True, None if delivered else Reason.SMS_NOT_DELIVERED, code=code, message=body
        )

    def code_reached(self, phone: str, purpose: str) -> bool:
        """Whether the active code for this purpose was delivered to ``phone`` (arrived or on
        its way): one the borrower has to type. A code the gateway made that never arrived
        is active but not on the phone."""
        active = self.store.get(self.CODES, phone=phone, purpose=purpose, active=True)
        if active is None:
            return False
        codes = (m.get("code") for m in self.store.find(self.INBOX, phone=phone))
        return any(c and _hash(c, purpose, phone) == active["code_hash"] for c in codes)

    def has_active_code(self, phone: str, purpose: str) -> bool:
        """Whether a code for this purpose is still usable (not used, dead or replaced)."""
        return self.store.get(self.CODES, phone=phone, purpose=purpose, active=True) is not None

    def check_code(self, phone: str, purpose: str, code: str, now: datetime) -> CheckResult:
        """Check an entered code against the active one: expiry, wrong-entry limit, match."""
        s = self.settings
        active = self.store.get(self.CODES, phone=phone, purpose=purpose, active=True)
        if active is None:
            return CheckResult(False, Reason.SMS_CODE_DEAD)
        if now > datetime.fromisoformat(active["expires_at"]):
            self.store.update(
                self.CODES, {"active": False}, phone=phone, purpose=purpose, active=True
            )
            return CheckResult(False, Reason.SMS_CODE_EXPIRED)
        if _hash(code, purpose, phone) == active["code_hash"]:
            self.store.update(
                self.CODES, {"active": False}, phone=phone, purpose=purpose, active=True
            )
            return CheckResult(True)
        wrong = active["wrong"] + 1
        dead = wrong >= s.max_wrong
        self.store.update(
            self.CODES,
            {"wrong": wrong, "active": not dead},
            phone=phone,
            purpose=purpose,
            active=True,
        )
        if dead:
            return CheckResult(False, Reason.SMS_CODE_DEAD)
        return CheckResult(False, Reason.SMS_CODE_WRONG, wrong_left=s.max_wrong - wrong)


def arrived(store: Store, phone: str, now: datetime | None = None) -> list[SmsMessage]:
    """The messages that reached ``phone`` by ``now`` (all of them when ``now`` is None),
    oldest first: what the phone's inbox shows, whoever reads it (a person, a story's check)."""
    messages = store.find(SMS_INBOX, phone=phone)
    if now is not None:
        messages = [m for m in messages if datetime.fromisoformat(m["arrives_at"]) <= now]
    return sorted(messages, key=lambda m: datetime.fromisoformat(m["arrives_at"]))
