"""Rules with numbers: SMS limits, durations, mobile and card numbers, transaction passwords,
the seeded random source, injected faults and ID validity by age.

Each rule has golden cases from independent figures (DOMAIN.md "Verification rules", published
Luhn test numbers) and hypothesis properties checked against a reference written here from the
rule, not from the code.

Windows: "5 codes an hour" and "10 a day" are read as half-open windows: no stretch
``[start, start + 1 h)`` holds more than 5 accepted sends, so a sixth send exactly one hour
after the first is allowed. Validity: "valid 5 minutes" means a code entered at most 5
minutes after it was sent is accepted, at 5 minutes and one microsecond it has expired.
"""

from __future__ import annotations

import itertools
import math
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loancli.clock import DEFAULT_START, MAX_DURATION, Rng, format_duration, parse_duration
from loancli.identity.idnumber import validity_years
from loancli.reasons import Reason
from loancli.store import Store
from loancli.validation import (
    check_debit_card,
    check_mobile,
    check_transaction_password,
    luhn_ok,
    weak_transaction_password,
)
from loancli.world.providers.faults import NEVER, Fault, parse_fault
from loancli.world.providers.sms import SmsService, SmsSettings

PHONE = "13800138000"
OTHER_PHONE = "13900139000"
LENDER = "106912345"
BANK = "95588"
TEXT = "【测试】验证码{code}，{minutes}分钟内有效。"
T0 = DEFAULT_START

# The documented numbers (DOMAIN.md), written out rather than read from SmsSettings.
VALIDITY = timedelta(minutes=5)
RESEND_AFTER = timedelta(seconds=60)
PER_HOUR = 5
PER_DAY = 10
MAX_WRONG = 5
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

FAST = settings(max_examples=60, deadline=None)


@contextmanager
def sms_service(**changes: object) -> Iterator[SmsService]:
    """An SmsService on a real Store in a fresh folder; the writes stay in one transaction,
    so an example touches the disk twice (schema stamp, final commit)."""
    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "s.json") as store, store.transaction():
            yield SmsService(SmsSettings(**changes), store)  # type: ignore[arg-type]


def other_code(code: str) -> str:
    """A code of the same length that is not ``code``."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


# -- SMS sends: resend wait, hourly and daily caps ------------------------------------------


def expected_send(accepted: list[datetime], now: datetime) -> tuple[bool, str | None]:
    """The rule, from DOMAIN.md: resend after 60 s, at most 5 an hour and 10 a day.

    Returns (accepted?, why not): "too_soon", "hour" or "day". A cap that binds is reported
    before the resend wait (its wait is the longer one), the day's before the hour's.
    """
    if sum(1 for t in accepted if now - t < DAY) >= PER_DAY:
        return False, "day"
    if sum(1 for t in accepted if now - t < HOUR) >= PER_HOUR:
        return False, "hour"
    if accepted and now - accepted[-1] < RESEND_AFTER:
        return False, "too_soon"
    return True, None


def assert_windows(accepted: list[datetime]) -> None:
    """The invariants on accepted sends alone: spacing, and no window over its cap.

    The fullest half-open window of a length starts at an accepted send, so checking the
    windows that start at each send covers them all.
    """
    for earlier, later in zip(accepted, accepted[1:], strict=False):
        assert later - earlier >= RESEND_AFTER, f"sends at {earlier} and {later}: under 60 s"
    for start in accepted:
        in_hour = [t for t in accepted if start <= t < start + HOUR]
        in_day = [t for t in accepted if start <= t < start + DAY]
        assert len(in_hour) <= PER_HOUR, f"{len(in_hour)} sends in the hour from {start}"
        assert len(in_day) <= PER_DAY, f"{len(in_day)} sends in the day from {start}"


def check_send(
    svc: SmsService,
    accepted: list[datetime],
    now: datetime,
    rng: Rng,
    *,
    phone: str = PHONE,
    sender: str = LENDER,
    purpose: str = "p",
) -> None:
    """Send once, compare with the rule, and record an accepted send in ``accepted``."""
    ok, why = expected_send(accepted, now)
    result = svc.send_code(phone, purpose, now, rng, TEXT, sender=sender)
    assert result.ok is ok, f"send at {now - T0} after {[t - T0 for t in accepted]}: {result}"
    if ok:
        assert result.reason is None
        assert result.code is not None and re.fullmatch(r"\d{6}", result.code)
        accepted.append(now)
    elif why == "too_soon":
        retry_at = accepted[-1] + RESEND_AFTER
        wait = math.ceil((retry_at - now).total_seconds())
        assert result.reason is Reason.SMS_RESEND_TOO_SOON
        assert result.retry_at == retry_at
        assert f"in {wait} s" in result.message
        assert result.code is None
    else:
        assert result.reason is Reason.SMS_SEND_LIMIT
        assert ("hour" if why == "hour" else "day") in result.message
        assert str(PER_HOUR if why == "hour" else PER_DAY) in result.message
        cap, window = (PER_HOUR, HOUR) if why == "hour" else (PER_DAY, DAY)
        recent = [t for t in accepted if now - t < window]
        assert result.retry_at == recent[len(recent) - cap] + window
        assert result.code is None


# Mostly short gaps (to meet the resend wait and the hourly cap), some long ones (to let the
# hour and the day roll over and reach the daily cap).
GAPS = st.lists(
    st.one_of(st.integers(0, 120), st.integers(0, 3600), st.sampled_from([59, 60, 3600])),
    min_size=1,
    max_size=40,
)


@FAST
@given(gaps=GAPS, seed=st.integers(0, 2**32))
def test_sms_sends_respect_the_resend_wait_and_the_caps(gaps: list[int], seed: int) -> None:
    accepted: list[datetime] = []
    now = T0
    with sms_service() as svc:
        for i, gap in enumerate(gaps):
            now += timedelta(seconds=gap)
            check_send(svc, accepted, now, Rng(seed, i))
    assert_windows(accepted)


@FAST
@given(
    requests=st.lists(
        st.tuples(st.integers(0, 900), st.sampled_from([PHONE, OTHER_PHONE]), st.booleans()),
        min_size=1,
        max_size=40,
    )
)
def test_sms_limits_are_per_phone_and_sender(requests: list[tuple[int, str, bool]]) -> None:
    """Interleaved requests on four channels: each behaves as if it were alone."""
    accepted: dict[tuple[str, str], list[datetime]] = {}
    now = T0
    with sms_service() as svc:
        for i, (gap, phone, bank) in enumerate(requests):
            now += timedelta(seconds=gap)
            sender = BANK if bank else LENDER
            channel = accepted.setdefault((phone, sender), [])
            check_send(svc, channel, now, Rng(7, i), phone=phone, sender=sender, purpose=sender)
    for channel in accepted.values():
        assert_windows(channel)


def test_sms_sends_golden_every_minute() -> None:
    """Sends every 60 s: 5 pass, then the hour is full until the first send is an hour old."""
    with sms_service() as svc:
        results = [
            svc.send_code(PHONE, "p", T0 + timedelta(seconds=s), Rng(1, s), TEXT)
            for s in (0, 60, 120, 180, 240, 300, 3599, 3600)
        ]
        assert [r.ok for r in results] == [True] * 5 + [False, False, True]
        assert results[5].reason is Reason.SMS_SEND_LIMIT
        assert results[5].message == (
            "at most 5 codes an hour to one number; the next one can be requested at "
            "2026-03-02T11:00:00+08:00"
        )
        assert results[6].reason is Reason.SMS_SEND_LIMIT


def test_sms_sends_golden_resend_wait() -> None:
    with sms_service() as svc:
        assert svc.send_code(PHONE, "p", T0, Rng(1), TEXT).ok
        same_moment = svc.send_code(PHONE, "p", T0, Rng(2), TEXT)
        assert same_moment.reason is Reason.SMS_RESEND_TOO_SOON
        assert same_moment.message == "a new code can be requested in 60 s"
        early = svc.send_code(PHONE, "p", T0 + timedelta(seconds=59), Rng(3), TEXT)
        assert early.reason is Reason.SMS_RESEND_TOO_SOON
        assert early.retry_at == T0 + RESEND_AFTER
        assert early.message == "a new code can be requested in 1 s"
        assert svc.send_code(PHONE, "p", T0 + RESEND_AFTER, Rng(4), TEXT).ok


def test_sms_sends_golden_ten_a_day() -> None:
    """One send every 12 minutes never fills an hour; the eleventh in a day is refused."""
    with sms_service() as svc:
        times = [T0 + timedelta(minutes=12 * k) for k in range(11)]
        results = [svc.send_code(PHONE, "p", t, Rng(1, i), TEXT) for i, t in enumerate(times)]
        assert [r.ok for r in results] == [True] * 10 + [False]
        assert results[10].reason is Reason.SMS_SEND_LIMIT
        assert results[10].message == (
            "at most 10 codes a day to one number; the next one can be requested at "
            "2026-03-03T10:00:00+08:00"
        )
        # The first send leaves the day 24 h after it was made.
        assert not svc.send_code(PHONE, "p", T0 + DAY - timedelta(seconds=1), Rng(2), TEXT).ok
        assert svc.send_code(PHONE, "p", T0 + DAY, Rng(3), TEXT).ok


def test_sms_another_sender_is_not_held_by_a_full_channel() -> None:
    with sms_service() as svc:
        for k in range(5):
            assert svc.send_code(PHONE, "p", T0 + timedelta(minutes=k), Rng(1, k), TEXT).ok
        late = T0 + timedelta(minutes=5)
        assert svc.send_code(PHONE, "p", late, Rng(2), TEXT).reason is Reason.SMS_SEND_LIMIT
        assert svc.send_code(PHONE, "bank", late, Rng(3), TEXT, sender=BANK).ok
        assert svc.send_code(OTHER_PHONE, "p", late, Rng(4), TEXT).ok


# -- SMS codes: validity, wrong entries, replacement, hashing, delivery ----------------------


@FAST
@given(
    seconds=st.integers(0, 600),
    micros=st.sampled_from([0, 0, 1, 999_999]),
    seed=st.integers(0, 2**32),
)
def test_sms_code_valid_up_to_five_minutes(seconds: int, micros: int, seed: int) -> None:
    elapsed = timedelta(seconds=seconds, microseconds=micros)
    with sms_service() as svc:
        code = svc.send_code(PHONE, "p", T0, Rng(seed), TEXT).code
        assert code is not None
        result = svc.check_code(PHONE, "p", code, T0 + elapsed)
    if elapsed <= VALIDITY:
        assert result.ok, f"right code refused {elapsed} after sending: {result}"
    else:
        assert not result.ok, f"right code accepted {elapsed} after sending"
        assert result.reason is Reason.SMS_CODE_EXPIRED


@pytest.mark.parametrize(
    ("elapsed", "ok"),
    [
        (timedelta(0), True),
        (timedelta(seconds=299), True),
        (timedelta(seconds=300), True),  # exactly 5 minutes: still valid
        (timedelta(seconds=300, microseconds=1), False),
        (timedelta(seconds=301), False),
    ],
)
def test_sms_code_validity_boundary(elapsed: timedelta, ok: bool) -> None:
    with sms_service() as svc:
        code = svc.send_code(PHONE, "p", T0, Rng(1), TEXT).code
        assert code is not None
        result = svc.check_code(PHONE, "p", code, T0 + elapsed)
    assert result.ok is ok
    assert result.reason is (None if ok else Reason.SMS_CODE_EXPIRED)


@FAST
@given(wrong=st.integers(0, 8), seed=st.integers(0, 2**32))
def test_sms_code_dies_after_five_wrong_entries(wrong: int, seed: int) -> None:
    with sms_service() as svc:
        code = svc.send_code(PHONE, "p", T0, Rng(seed), TEXT).code
        assert code is not None
        now = T0 + timedelta(seconds=10)
        for entry in range(1, wrong + 1):
            result = svc.check_code(PHONE, "p", other_code(code), now)
            assert not result.ok
            if entry < MAX_WRONG:
                assert result.reason is Reason.SMS_CODE_WRONG
                assert result.wrong_left == MAX_WRONG - entry
            else:
                assert result.reason is Reason.SMS_CODE_DEAD
        final = svc.check_code(PHONE, "p", code, now)
    if wrong < MAX_WRONG:
        assert final.ok, f"right code refused after {wrong} wrong entries: {final}"
    else:
        assert not final.ok, f"right code accepted after {wrong} wrong entries"
        assert final.reason is Reason.SMS_CODE_DEAD


@FAST
@given(gap=st.integers(60, 299), seed=st.integers(0, 2**32))
def test_sms_new_code_replaces_the_old(gap: int, seed: int) -> None:
    with sms_service() as svc:
        old = svc.send_code(PHONE, "p", T0, Rng(seed, "old"), TEXT).code
        now = T0 + timedelta(seconds=gap)
        new = svc.send_code(PHONE, "p", now, Rng(seed, "new"), TEXT).code
        assert old is not None and new is not None
        assume(old != new)
        stale = svc.check_code(PHONE, "p", old, now)
        assert not stale.ok, "the replaced code was accepted"
        assert svc.check_code(PHONE, "p", new, now).ok


def test_sms_code_is_single_use_and_stored_hashed() -> None:
    with sms_service() as svc:
        code = svc.send_code(PHONE, "p", T0, Rng(1), TEXT).code
        assert code is not None
        stored = svc.store.all(SmsService.CODES)
        assert len(stored) == 1
        values = [str(v) for v in stored[0].values()]
        assert all(code not in value for value in values), stored
        assert re.fullmatch(r"[0-9a-f]{64}", stored[0]["code_hash"])
        assert svc.check_code(PHONE, "p", code, T0).ok
        again = svc.check_code(PHONE, "p", code, T0)
        assert not again.ok and again.reason is Reason.SMS_CODE_DEAD


@FAST
@given(delay=st.integers(0, 120), look=st.integers(0, 180))
def test_sms_code_in_flight_until_it_arrives(delay: int, look: int) -> None:
    with sms_service(delivery_delay=timedelta(seconds=delay)) as svc:
        code = svc.send_code(PHONE, "p", T0, Rng(3), TEXT).code
        now = T0 + timedelta(seconds=look)
        flight = svc.in_flight(PHONE, now)
        newest = svc.newest_code(PHONE, now)
    arrives = T0 + timedelta(seconds=delay)
    if now < arrives:
        assert flight == arrives and newest is None
    else:
        assert flight is None and newest == code


# -- durations --------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(seconds=st.integers(0, int(MAX_DURATION.total_seconds())))
def test_duration_round_trip(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    text = format_duration(delta)
    assert re.fullmatch(r"0s|(\d+d)?(\d+h)?(\d+m)?(\d+s)?", text), text
    assert parse_duration(text) == delta


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h30m", 5400),
        ("90s", 90),
        ("6m", 360),
        ("2h", 7200),
        ("1d", 86400),
        ("40d", 3_456_000),
        ("90", 90),
        (" 1h 30m ", 5400),
        ("1H30M", 5400),
        ("0s", 0),
    ],
)
def test_parse_duration_golden(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45, "45s"), (360, "6m"), (5400, "1h30m"), (86400, "1d"), (90061, "1d1h1m1s")],
)
def test_format_duration_golden(seconds: int, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


@pytest.mark.parametrize(
    "text", ["", "  ", "h", "1x", "-5s", "1.5h", "1e3", "1h30", "h30m", "1 hour", "abc"]
)
def test_parse_duration_refuses_with_a_sentence(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration; write e\.g\. 90s"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["1M", "2M", "1d2M", "30M", " 1 M", "1M1h", "2M3h", "1h2s3M"])
def test_a_capital_m_without_hours_is_refused_as_a_month_would_be(text: str) -> None:
    # M is a month in ISO 8601 and most tools; "clock advance 1M" moved the clock a minute.
    with pytest.raises(ValueError, match=r"m is minutes \(1m\); a month is written in days"):
        parse_duration(text)


_DURATION_PART = re.compile(r"([0-9]+)([dhmsDHMS])")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789dhmsDHMx .-", max_size=14))
def test_parse_duration_accepts_exactly_the_grammar(text: str) -> None:
    """Reference grammar: bare seconds, or one or more <number><d|h|m|s>; spaces ignored; a
    capital M only right after an hour part (else it would be read as a month: refused).

    Numbers of up to 6 digits: larger ones can leave timedelta's range (another matter).
    """
    compact = text.replace(" ", "")
    assume(all(len(run) <= 6 for run in re.findall(r"[0-9]+", compact)))
    if re.fullmatch(r"[0-9]+", compact):
        assert parse_duration(text) == timedelta(seconds=int(compact))
    elif "M" in compact and not re.search(r"[hH][0-9]+M", compact):
        with pytest.raises(ValueError, match="is not a duration"):
            parse_duration(text)
    elif compact and re.fullmatch(r"(?:[0-9]+[dhmsDHMS])+", compact):
        total = sum(int(n) * _UNIT_SECONDS[u.lower()] for n, u in _DURATION_PART.findall(compact))
        if total > MAX_DURATION.total_seconds():
            with pytest.raises(ValueError, match="too long"):
                parse_duration(text)
        else:
            assert parse_duration(text) == timedelta(seconds=total)
    else:
        with pytest.raises(ValueError, match="is not a duration"):
            parse_duration(text)


def test_parse_duration_numbers_are_seconds_and_not_negative() -> None:
    assert parse_duration(90) == timedelta(seconds=90)
    with pytest.raises(ValueError, match="cannot be negative"):
        parse_duration(-1)
    with pytest.raises(ValueError, match="expected a duration .*, not true/false"):
        parse_duration(True)


# -- mobile numbers -----------------------------------------------------------------------


MOBILES = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@FAST
@given(number=MOBILES)
def test_every_mainland_mobile_is_accepted(number: str) -> None:
    assert check_mobile(number) == number


@FAST
@given(
    number=MOBILES,
    prefix=st.sampled_from(["", "+86", "+86 ", " +86  "]),
    cuts=st.lists(st.integers(1, 10), max_size=3),
    pad=st.sampled_from(["", " ", "\t", "\n"]),
)
def test_mobile_prefix_and_spaces_are_normalised(
    number: str, prefix: str, cuts: list[int], pad: str
) -> None:
    spaced = number
    for cut in sorted(set(cuts), reverse=True):
        spaced = spaced[:cut] + " " + spaced[cut:]
    assert check_mobile(pad + prefix + spaced + pad) == number


def _is_mobile(text: str) -> bool:
    """The reference: 11 ASCII digits starting 13-19, after +86, spaces and hyphens."""
    value = text.strip().replace(" ", "").replace("-", "")
    value = value.removeprefix("+86")
    ascii_digits = all("0" <= c <= "9" for c in value)
    return len(value) == 11 and ascii_digits and value[0] == "1" and value[1] in "3456789"


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(alphabet="0123456789", min_size=9, max_size=13),
        st.text(alphabet="0123456789+86 -a", max_size=16),
        st.builds(lambda d, rest: "1" + d + rest, st.sampled_from("012"), st.text("0123456789")),
    )
)
def test_only_mainland_mobiles_are_accepted(text: str) -> None:
    if _is_mobile(text):
        assert check_mobile(text)
    else:
        with pytest.raises(ValueError, match="mainland mobile number"):
            check_mobile(text)


@pytest.mark.parametrize(
    "text",
    [
        "12800138000",  # 12 is not a mobile prefix
        "10086000000",
        "23800138000",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "8613800138000",  # country code without the plus
        "008613800138000",
        "+8512345678901",
        "1380013800a",
        "",
    ],
)
def test_mobile_refused_golden(text: str) -> None:
    with pytest.raises(ValueError, match="mainland mobile number"):
        check_mobile(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8619912345678", "19912345678"),
        ("138-0013-8000", "13800138000"),
    ],
)
def test_mobile_accepted_golden(text: str, number: str) -> None:
    assert check_mobile(text) == number


# -- bank cards: Luhn and UnionPay --------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("79927398713", True),  # the textbook example
        ("79927398710", False),
        ("4539578763621486", True),
        ("4111111111111111", True),  # published test card numbers
        ("4111111111111112", False),
        ("5555555555554444", True),
        ("378282246310005", True),
        ("6011111111111117", True),
        ("6200000000000005", True),  # a published UnionPay test number
        ("6200000000000006", False),
        ("6222021234567893445", True),  # the demo borrower's card
        ("0", True),
        ("18", True),
        ("19", False),
    ],
)
def test_luhn_golden(number: str, valid: bool) -> None:
    assert luhn_ok(number) is valid


def _luhn_reference(number: str) -> bool:
    """Luhn as usually stated: from the right, double every second digit, add the digits."""
    digits = [int(c) for c in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


UNIONPAY_PREFIXES = st.integers(13, 16).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).map(lambda s: "62" + s)
)


@FAST
@given(prefix=UNIONPAY_PREFIXES)
def test_exactly_one_check_digit_completes_a_unionpay_number(prefix: str) -> None:
    completing = [d for d in "0123456789" if luhn_ok(prefix + d)]
    assert len(completing) == 1
    assert all(luhn_ok(prefix + d) is _luhn_reference(prefix + d) for d in "0123456789")
    card = prefix + completing[0]
    assert check_debit_card(card) == card
    grouped = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    assert check_debit_card(grouped) == card


@FAST
@given(prefix=UNIONPAY_PREFIXES, data=st.data())
def test_a_one_digit_change_is_refused(prefix: str, data: st.DataObject) -> None:
    card = next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))
    position = data.draw(st.integers(0, len(card) - 1), label="position")
    digit = data.draw(st.sampled_from("0123456789").filter(lambda d: d != card[position]))
    typo = card[:position] + digit + card[position + 1 :]
    assert not luhn_ok(typo)
    with pytest.raises(ValueError):
        check_debit_card(typo)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("622202123456782", "16-19 digits, this one has 15"),  # Luhn-valid, too short
        ("62000000000000000005", "16-19 digits, this one has 20"),  # Luhn-valid, too long
        ("4111111111111111", "starting 62"),
        ("6222021234567893446", "Luhn"),
        ("6222-0212-3456-7893-445", "digits only"),
    ],
)
def test_debit_card_refused_golden(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_debit_card(text)


def test_debit_card_length_goldens_are_luhn_valid() -> None:
    # So the refusals above are for the length, not the check digit.
    assert luhn_ok("622202123456782") and luhn_ok("62000000000000000005")


# -- transaction password -----------------------------------------------------------------


def _weak(password: str) -> bool:
    """One repeated digit, or six consecutive digits up or down (no wrap past 9 or 0)."""
    steps = {int(b) - int(a) for a, b in zip(password, password[1:], strict=False)}
    return steps in ({0}, {1}, {-1})


@settings(max_examples=300, deadline=None)
@given(
    password=st.one_of(
        st.text(alphabet="0123456789", min_size=6, max_size=6),
        st.sampled_from(["000000", "999999", "012345", "456789", "987654", "543210"]),
        st.builds(lambda d: d * 6, st.sampled_from("0123456789")),
    )
)
def test_transaction_password_refuses_exactly_the_weak(password: str) -> None:
    if _weak(password):
        with pytest.raises(ValueError, match="repeated digit or a sequence"):
            check_transaction_password(password)
    else:
        assert check_transaction_password(password) == password


def test_transaction_password_exhaustive() -> None:
    """All 10**6 six-digit passwords: exactly the 10 repeated and 10 sequential are weak; and
    the check refuses exactly the weak ones among them and every password one digit away from
    one (the only place a check could disagree with its rule at the border)."""
    every = map("".join, itertools.product("0123456789", repeat=6))
    weak = set(filter(weak_transaction_password, every))
    expected = {d * 6 for d in "0123456789"}
    expected |= {"0123456789"[i : i + 6] for i in range(5)}
    expected |= {"9876543210"[i : i + 6] for i in range(5)}
    assert len(expected) == 20
    assert weak == expected
    border = {p[:i] + d + p[i + 1 :] for p in expected for i in range(6) for d in "0123456789"}
    assert len(border) > 1000
    refused = set()
    for password in border:
        try:
            check_transaction_password(password)
        except ValueError:
            refused.add(password)
    assert refused == expected


@pytest.mark.parametrize("text", ["12345", "1234567", "12345a", "", "12 345"])
def test_transaction_password_is_six_digits(text: str) -> None:
    with pytest.raises(ValueError, match="6 digits"):
        check_transaction_password(text)


# -- the seeded random source -------------------------------------------------------------


LABELS = st.lists(
    st.one_of(st.integers(0, 10**6), st.text(alphabet="abcdefgxyzA0123456789-_", max_size=8)),
    max_size=3,
)


def _stream(rng: Rng) -> tuple[object, ...]:
    return (
        rng.digits(12),
        rng.random(),
        rng.randint(1, 10**9),
        rng.sample(list(range(50)), 5),
        rng.choice(["a", "b", "c", "d"]),
    )


@FAST
@given(seed=st.integers(0, 2**63), labels=LABELS)
def test_rng_same_seed_and_labels_same_stream(seed: int, labels: list[object]) -> None:
    assert _stream(Rng(seed, *labels)) == _stream(Rng(seed, *labels))
    # derive() is the same as naming the labels up front, whatever was drawn before.
    parent = Rng(seed)
    parent.digits(20)
    assert _stream(parent.derive(*labels)) == _stream(Rng(seed, *labels))


@FAST
@given(seed=st.integers(0, 2**63), a=LABELS, b=LABELS)
def test_rng_different_labels_independent_streams(
    seed: int, a: list[object], b: list[object]
) -> None:
    assume([str(x) for x in a] != [str(x) for x in b])
    root = Rng(seed)
    first, second = root.derive(*a), root.derive(*b)
    assert first.digits(24) != second.digits(24)
    # Drawing from one stream does not move the other.
    fresh = Rng(seed).derive(*b)
    fresh.digits(24)
    first.digits(100)
    assert second.digits(24) == fresh.digits(24)


@FAST
@given(a=st.integers(0, 2**63), b=st.integers(0, 2**63))
def test_rng_different_seeds_differ(a: int, b: int) -> None:
    assume(a != b)
    assert Rng(a).digits(24) != Rng(b).digits(24)


def test_rng_derive_chain_is_the_flat_labels() -> None:
    assert Rng(42, "A0001", "bind_card", 3).digits(6) == Rng(42).derive("A0001").derive(
        "bind_card", 3
    ).digits(6)


# -- injected faults ----------------------------------------------------------------------


@FAST
@given(times=st.integers(0, 20), seed=st.integers(0, 2**32))
def test_fault_times_fires_exactly_on_the_first_calls(times: int, seed: int) -> None:
    fault = Fault(times=times)
    fired = [call for call in range(1, 41) if fault.fires(call, Rng(seed))]
    assert fired == list(range(1, times + 1))
    assert fault.active is (times > 0)


@FAST
@given(seed=st.integers(0, 2**32), calls=st.integers(1, 200))
def test_fault_always_and_never(seed: int, calls: int) -> None:
    assert Fault(always=True).fires(calls, Rng(seed))
    assert not NEVER.fires(calls, Rng(seed))
    assert not Fault(probability=0.0).fires(calls, Rng(seed))
    assert Fault(probability=1.0).fires(calls, Rng(seed))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), p=st.sampled_from([0.1, 0.3, 0.5, 0.9]))
def test_fault_probability_is_reproducible_and_near_p(seed: int, p: float) -> None:
    fault = Fault(probability=p)
    calls = range(1, 2001)
    pattern = [fault.fires(c, Rng(seed, "net")) for c in calls]
    # The same seed replays the same failures, in any order of asking.
    assert pattern == [fault.fires(c, Rng(seed, "net")) for c in reversed(calls)][::-1]
    # 2000 draws: the binomial standard deviation is at most 0.012; allow 5 of them.
    assert abs(sum(pattern) / len(pattern) - p) < 0.06


@pytest.mark.parametrize(
    ("value", "fault"),
    [
        (True, Fault(always=True)),
        (False, NEVER),
        ({"times": 2}, Fault(times=2)),
        ({"probability": 0.3}, Fault(probability=0.3)),
        ({"probability": 1}, Fault(probability=1.0)),
    ],
)
def test_parse_fault_golden(value: object, fault: Fault) -> None:
    assert parse_fault(value) == fault


@pytest.mark.parametrize(
    "value",
    [{"times": -1}, {"times": True}, {"probability": 1.5}, {"probability": -0.1}, 2, "yes", {}],
)
def test_parse_fault_refuses(value: object) -> None:
    with pytest.raises(ValueError, match=r"\{times: N\}"):
        parse_fault(value)


# -- ID card validity by age at issue -----------------------------------------------------


@pytest.mark.parametrize(
    ("age", "years"),
    [(0, 5), (15, 5), (16, 10), (25, 10), (26, 20), (45, 20), (46, None), (120, None)],
)
def test_validity_years_boundaries(age: int, years: int | None) -> None:
    assert validity_years(age) == years


@given(age=st.integers(0, 150))
def test_validity_years_by_band(age: int) -> None:
    """DOMAIN.md: under 16: 5 years; 16-25: 10; 26-45: 20; 46+: long-term (None)."""
    expected = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None
    assert validity_years(age) == expected


# Non-ASCII digits and out-of-range values are refused with a sentence -----------------------


@pytest.mark.parametrize("text", ["13" + "\u0660" * 9, "13８００１３８０００"])
def test_mobile_refuses_non_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="write digits as 0-9"):
        check_mobile(text)


@pytest.mark.parametrize(
    "text",
    [
        "62２２０２１２３４５６７８９３４４５",
        "62" + "".join(chr(0x660 + int(d)) for d in "22021234567893445"),
    ],
)
def test_debit_card_refuses_non_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="write digits as 0-9"):
        check_debit_card(text)


def test_debit_card_superscripts_get_a_sentence() -> None:
    with pytest.raises(ValueError, match="write digits as 0-9; '²'"):
        check_debit_card("62" + "²" * 14)


@pytest.mark.parametrize("text", ["１２３４５６", "\u0661\u0662\u0663\u0664\u0665\u0666"])
def test_transaction_password_refuses_non_ascii_sequences(text: str) -> None:
    with pytest.raises(ValueError):
        check_transaction_password(text)


@pytest.mark.parametrize("text", ["1000000000d", "99999999999d", "\u0661s"])
def test_out_of_range_or_non_ascii_duration_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="duration|write digits as 0-9"):
        parse_duration(text)


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_non_finite_duration_is_a_value_error(value: float) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


def test_the_longest_duration_is_accepted_and_one_second_more_refused() -> None:
    assert parse_duration(f"{MAX_DURATION.days}d") == MAX_DURATION
    with pytest.raises(ValueError, match="too long"):
        parse_duration(f"{MAX_DURATION.days}d1s")
