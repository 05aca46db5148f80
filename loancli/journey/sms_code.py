"""Entering an SMS code: send, wait, type, resend, within the gateway's limits."""

from __future__ import annotations

from enum import Enum

import msgspec

from loancli.clock import describe_duration, format_duration
from loancli.i18n import _, language, localise_fact
from loancli.journey.core import Journey, Record, Stop, draws_of
from loancli.masking import mask_phone
from loancli.reasons import Reason


class CodeRequest(msgspec.Struct, frozen=True):
    """What one kind of code is: its purpose, the answer key it is typed under, the SMS
    template, the sending channel, and the reason a wrong entry is reported with."""

    purpose: str
    key: str
    text: str
    sender: str | None
    wrong: Reason = Reason.SMS_CODE_WRONG


def enter_code(j: Journey, app: Record, request: CodeRequest, phone: str) -> Stop | None:
    """Send a code to ``phone``, then take entries until one is right; the shared SMS-code loop
    of the journey's verification, the bank's card binding, login and the account flows."""
    entry = _CodeEntry(j, app, request, phone)
    send = True
    while True:
        if send:
            sent = entry.send()
            if isinstance(sent, Stop):
                return sent
            if sent is _Next.SEND:
                continue
        entered = entry.enter()
        if entered is _Next.DONE:
            return None
        if isinstance(entered, Stop):
            return entered
        send = entered is _Next.SEND


class _Next(Enum):
    """What the loop does next: send (again), type the code (again), or it is done."""

    SEND = "send"
    TYPE = "type"
    DONE = "done"


class _CodeEntry(msgspec.Struct):
    """One step's requests for a code of one purpose, and why the borrower asked again."""

    j: Journey
    app: Record
    request: CodeRequest
    phone: str
    # Why the borrower asked for a new code (None before the first resend).
    cause: Reason | None = None
    requests: int = 0

    def send(self) -> Stop | _Next:
        """Ask the gateway for a code: TYPE once one was sent, SEND to ask again."""
        j, app, phone, purpose = self.j, self.app, self.phone, self.request.purpose
        self.requests += 1
        if self.requests > j.world.sms.max_requests:
            # The app stops offering "resend" after this many requests in one step.
            assert self.cause is not None
            return Stop(self.cause, f"{self.requests - 1} code requests without success")
        rng = j.rng.derive(draws_of(app), purpose, len(app.get("events", [])))
        sent = j.sms.send_code(
            phone, purpose, j.clock.now(), rng, self.request.text, self.request.sender
        )
        if sent.ok:
            self._sent(sent.reason, sent.code)
            return _Next.TYPE
        assert sent.reason is not None
        if sent.reason is Reason.SMS_RESEND_TOO_SOON and sent.retry_at is not None:
            if self.requests == 1 and j.sms.code_reached(phone, purpose):
                # The step goes on (a resume at this step): the code sent before is still on
                # the phone and valid, so the borrower types it; the app does not greet them
                # with a refusal of a resend they never asked for.
                j.event(app, "code_still_valid", phone=mask_phone(phone), purpose=purpose)
                j.asker.tell(
                    _(
                        "The code sent to {phone} a moment ago is still valid: type it (a new "
                        "one can be sent from {at})."
                    ).format(phone=mask_phone(phone), at=f"{sent.retry_at:%H:%M:%S}")
                )
                return _Next.TYPE
            # No code to type (none reached the phone, the last one died or expired, or the
            # wait comes from an earlier flow's code): the app's resend button counts down,
            # and the borrower waits for it. Asking again at once could never succeed: the
            # simulated clock does not move while a person thinks at a prompt.
            j.event(app, "sms_refused", sent.reason, why=sent.message, provider="sms")
            # A tap on a button still counting down is not a request the app counts.
            self.requests -= 1
            waited = sent.retry_at - j.clock.now()
            j.clock.advance(waited)
            j.event(app, "waited_for_resend", duration=format_duration(waited))
            j.asker.tell(
                _("Waited {wait} until a new code could be requested.").format(
                    wait=localise_fact(describe_duration(waited), language())
                )
            )
            return _Next.SEND
        j.fail(app, "sms_refused", sent.reason, why=sent.message, provider="sms")
        if sent.reason is Reason.SMS_GATEWAY_DOWN:
            self.cause = sent.reason
            if j.asker.ask("sms_resend"):
                return _Next.SEND
        elif self.cause is Reason.SMS_NOT_DELIVERED:
            # The cap ends the asking, but the borrower's problem is still that no code
            # arrives (the stop a phone change offers its face check for).
            j.last_reason = self.cause
            return Stop(self.cause, sent.message)
        return Stop(sent.reason, sent.message)

    def _sent(self, problem: Reason | None, code: str | None) -> None:
        j, app, phone = self.j, self.app, self.phone
        if problem is Reason.SMS_NOT_DELIVERED:
            j.fail(app, "sms_sent", problem, phone=mask_phone(phone))
            return
        j.event(app, "sms_sent", phone=mask_phone(phone), purpose=self.request.purpose)
        for message in j.sms.inbox(phone, j.clock.now())[-1:]:
            if message.get("code") == code:
                j.asker.tell_sms(mask_phone(phone), f"{message['sender']}: {message['text']}")

    def enter(self) -> Stop | _Next:
        """The borrower types a code: DONE when accepted, TYPE to type again, SEND for a new
        one, or a Stop when they give up."""
        j, app, phone, purpose = self.j, self.app, self.phone, self.request.purpose
        if self.request.key == "sms_code":
            wait = j.asker.ask("sms_wait")
            if wait:
                j.clock.advance(wait)
                j.event(app, "waited", duration=format_duration(wait))
        code = j.asker.ask(self.request.key)
        if code != "auto" and code == j.sms.newest_code(phone, j.clock.now(), self.request.sender):
            # Typed by hand, but the one on the phone: it replays as auto with any seed.
            j.asker.record_as(self.request.key, "auto")
        if code == "auto":
            code = self._read_phone()
            if code is None:
                j.fail(app, "sms_missing", Reason.SMS_NOT_DELIVERED, phone=mask_phone(phone))
                return self._ask_again(Reason.SMS_NOT_DELIVERED)
        result = j.sms.check_code(phone, purpose, code, j.clock.now())
        if result.ok:
            j.event(app, "code_accepted", purpose=purpose)
            return _Next.DONE
        assert result.reason is not None
        wrong = result.reason is Reason.SMS_CODE_WRONG
        reason = self.request.wrong if wrong else result.reason
        j.fail(app, "code_refused", reason, purpose=purpose, wrong_left=result.wrong_left)
        return _Next.TYPE if wrong else self._ask_again(reason)

    def _read_phone(self) -> str | None:
        """What ``auto`` types: the newest code on the phone, waiting for one on its way."""
        j = self.j
        arrival = j.sms.in_flight(self.phone, j.clock.now(), self.request.sender)
        if arrival is not None:
            waited = arrival - j.clock.now()
            j.clock.advance(waited)
            j.event(self.app, "waited_for_sms", duration=format_duration(waited))
        return j.sms.newest_code(self.phone, j.clock.now(), self.request.sender)

    def _ask_again(self, reason: Reason) -> Stop | _Next:
        self.cause = reason
        if not self.j.asker.ask("sms_resend"):
            return Stop(reason)
        return _Next.SEND
