"""Entering an SMS code: send, wait, type, resend, within the gateway's limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loancli.clock import format_duration
from loancli.journey.core import Journey, Stop
from loancli.masking import mask_phone
from loancli.reasons import Reason


@dataclass(frozen=True)
class CodeRequest:
    """What one kind of code is: its purpose, the answer key it is typed under, the SMS
    template, the sending channel, and the reason a wrong entry is reported with."""

    purpose: str
    key: str
    text: str
    sender: str | None
    wrong: Reason = Reason.SMS_CODE_WRONG


def enter_code(j: Journey, app: dict[str, Any], request: CodeRequest, phone: str) -> Stop | None:
    """Send a code to ``phone``, then take entries until one is right; the shared SMS-code loop
    of the journey's verification, the bank's card binding, login and the account flows."""
    purpose, key, text, sender = request.purpose, request.key, request.text, request.sender
    send = True
    # Why the borrower asked for a new code (None for the first send).
    cause: Reason | None = None
    requests = 0
    while True:
        if send:
            requests += 1
            if requests > j.world.sms.max_requests:
                # The app stops offering "resend" after this many requests in one step.
                assert cause is not None
                return Stop(cause, f"{requests - 1} code requests without success")
            sent = j.sms.send_code(
                phone,
                purpose,
                j.clock.now(),
                j.rng.derive(app["id"], purpose, len(app.get("events", []))),
                text,
                sender,
            )
            if (
                not sent.ok
                and sent.reason is Reason.SMS_RESEND_TOO_SOON
                and sent.retry_at is not None
                and not j.sms.has_active_code(phone, purpose)
            ):
                # No code to type yet (the wait comes from an earlier flow's code, or the
                # last one died): the borrower waits for the resend button, as in the app.
                j.event(
                    app, "sms_refused", Reason.SMS_RESEND_TOO_SOON, why=sent.message, provider="sms"
                )
                waited = sent.retry_at - j.clock.now()
                j.clock.advance(waited)
                j.event(app, "waited_for_resend", duration=format_duration(waited))
                continue
            if not sent.ok:
                assert sent.reason is not None
                j.fail(app, "sms_refused", sent.reason, why=sent.message, provider="sms")
                if sent.reason is Reason.SMS_SEND_LIMIT:
                    return Stop(sent.reason, sent.message)
                if sent.reason is Reason.SMS_GATEWAY_DOWN:
                    cause = sent.reason
                    send = bool(j.asker.ask("sms_resend"))
                    if not send:
                        return Stop(sent.reason, sent.message)
                    continue
                if cause is not None:
                    # A resend refused for the 60 s wait is recorded, but the borrower's
                    # problem is still the one that made them ask (not delivered, dead code).
                    j.last_reason = cause
            elif sent.reason is Reason.SMS_NOT_DELIVERED:
                j.fail(app, "sms_sent", Reason.SMS_NOT_DELIVERED, phone=mask_phone(phone))
            else:
                j.event(app, "sms_sent", phone=mask_phone(phone), purpose=purpose)
                for message in j.sms.inbox(phone, j.clock.now())[-1:]:
                    if message.get("code") == sent.code:
                        j.asker.tell(f"{message['sender']}: {message['text']}", "sms")
            send = False
        if key == "sms_code":
            wait = j.asker.ask("sms_wait")
            if wait:
                j.clock.advance(wait)
                j.event(app, "waited", duration=format_duration(wait))
        code = j.asker.ask(key)
        if code == "auto":
            arrival = j.sms.in_flight(phone, j.clock.now(), sender)
            if arrival is not None:
                # A person waits for the message that is on its way, then types it.
                waited = arrival - j.clock.now()
                j.clock.advance(waited)
                j.event(app, "waited_for_sms", duration=format_duration(waited))
            code = j.sms.newest_code(phone, j.clock.now(), sender)
            if code is None:
                j.fail(app, "sms_missing", Reason.SMS_NOT_DELIVERED, phone=mask_phone(phone))
                cause = Reason.SMS_NOT_DELIVERED
                send = bool(j.asker.ask("sms_resend"))
                if not send:
                    return Stop(Reason.SMS_NOT_DELIVERED)
                continue
        result = j.sms.check_code(phone, purpose, code, j.clock.now())
        if result.ok:
            j.event(app, "code_accepted", purpose=purpose)
            return None
        reason = request.wrong if result.reason is Reason.SMS_CODE_WRONG else result.reason
        assert reason is not None
        j.fail(app, "code_refused", reason, purpose=purpose, wrong_left=result.wrong_left)
        if result.reason is not Reason.SMS_CODE_WRONG:
            cause = reason
            send = bool(j.asker.ask("sms_resend"))
            if not send:
                return Stop(reason)
