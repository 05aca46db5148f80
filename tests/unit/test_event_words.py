"""An event's words never fail whatever its detail holds (a state file is data from anywhere):
a value they cannot say (none, a record, a list of records) gives no words, so the row shows
the code and its ``key=value`` text; the words fit the detail's keys, in either language."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli.i18n import set_language
from loancli.support.event_words import LOAN_EVENT_WORDS, event_text, event_words

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
_KEYS = sorted(
    {
        key
        for words in LOAN_EVENT_WORDS.values()
        for text in ((words,) if isinstance(words, str) else words)
        for key in __import__("re").findall(r"\{(\w+)\}", text)
    }
    | {"installment", "due_date", "loan", "on", "cloud_name", "model", "os"}
)


@settings(max_examples=300, deadline=None)
@given(
    event=st.sampled_from(sorted(LOAN_EVENT_WORDS)),
    detail=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=8),
    lang=st.sampled_from(["en", "zh"]),
)
def test_words_never_fail_whatever_the_detail_holds(
    event: str, detail: dict[str, Any], lang: str
) -> None:
    set_language(lang)
    try:
        words = event_words(event, detail)
        assert words is None or isinstance(words, str)
        assert isinstance(event_text(event, detail), str)
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("event", "detail"),
    [
        ("transfer_failed", {"card": "**** 1", "card_status": ["frozen"]}),
        ("transfer_failed", {"card": "**** 1", "card_status": None}),
        ("two_step_passed", {"mode": None}),
        ("device_trusted", {"model": "X", "trusted_devices": [{"model": "A"}]}),
    ],
)
def test_a_value_the_words_cannot_say_gives_the_code_and_detail(
    event: str, detail: dict[str, Any]
) -> None:
    assert event_words(event, detail) is None
    assert event_text(event, detail).startswith(event)


def test_a_detail_holding_a_name_the_words_also_make_is_said_with_its_own() -> None:
    detail = {"cloud": True, "cloud_name": "x", "credit_card_bills": False, "smart_home": False}
    assert event_words("authorisations_recorded", detail) == (
        "authorisations: x authorised, credit-card bills not authorised, smart home not authorised"
    )


def test_codes_in_a_detail_are_said_as_words_in_chinese() -> None:
    set_language("zh")
    try:
        assert event_words("two_step_passed", {"mode": "code"}) == "二次验证已通过（确认码）"
        assert event_words("waited", {"duration": "1h30m"}) == "等待了 1 小时 30 分钟"
        assert event_words("transfer_failed", {"card": "**** 1", "card_status": "closed"}) == (
            "放款至银行卡 **** 1 被退回（已销户）"
        )
        # A code refused as expired is no wrong code: 验证码错误 told support the borrower typed
        # it wrong (found by a support walk).
        refused = event_words("code_refused", {"purpose": "binding", "wrong_left": 0})
        assert refused.startswith("验证码未通过（") and "错误" not in refused, refused
    finally:
        set_language("en")
    assert event_words("waited", {"duration": "1h30m"}) == "waited 1h30m"


# A checkout's own events, as it records them.
CHECKOUT = {
    "card_selected": {"card": "**** 3445"},
    "contacts_on_file": {"count": 1},
    "plan_shown": {
        "apr": "13.03",
        "fee_rate_total": "0.072",
        "first_payment": "223.24",
        "item": "Redmi K70",
        "periods": 12,
        "price": "2499.00",
        "total_fee": "179.93",
    },
    "installment_created": {
        "card": "**** 3445",
        "item": "Redmi K70",
        "loan": "L0002",
        "periods": 12,
        "price": "2499.00",
        "quota_left": "17501.00",
    },
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_checkouts_steps_are_said_in_words(lang: str) -> None:
    """They were shown as ``key=value`` (``card=**** 3445``), English keys in Chinese too."""
    set_language(lang)
    try:
        said = {event: event_words(event, detail) for event, detail in CHECKOUT.items()}
    finally:
        set_language("en")
    assert None not in said.values(), said
    assert not any("=" in text for text in said.values() if text), said
    assert "2499.00" in str(said["plan_shown"]) and "17501.00" in str(said["installment_created"])
    assert ("分 12 期" in str(said["plan_shown"])) == (lang == "zh")


def test_a_loans_repayments_and_re_instalment_in_words() -> None:
    repaid = {"amount": "500.00", "installments": [], "kind": "amount", "on": "2026-05-11"}
    assert event_words("repaid", {**repaid, "prepaid_principal": "500.00"}) == (
        "repaid 500.00 (an amount): installments none; 500.00 of principal prepaid"
    )
    settled = {"amount": "9854.23", "interest_to_date": "0.00", "kind": "settle_all"}
    assert event_words("repaid", settled) == (
        "repaid 9854.23 (early settlement): interest to date 0.00"
    )
    agreed = {
        "first_due_date": "2026-06-02",
        "new_principal": "10354.23",
        "on": "2026-05-11",
        "owed": {"fee": "0.00", "interest": "326.55", "penalty": "27.68", "principal": "10000.00"},
        "term": 6,
    }
    set_language("zh")
    try:
        assert event_words("restructured", agreed) == (
            "已协商二次分期：10354.23（费用 0.00、利息 326.55、罚息 27.68、本金 10000.00），"
            "分 6 期，首期还款日 2026-06-02"
        )
    finally:
        set_language("en")


def test_where_a_run_stopped_with_nothing_found_has_no_empty_brackets() -> None:
    said = "You did not confirm the loan quote."
    assert event_words("stopped", {"sentence": said, "detail": ""}) == f"stopped: {said}"
    assert event_words("stopped", {"sentence": said, "detail": "x"}) == f"stopped: {said} (x)"


def test_a_mistyped_card_is_said_as_not_the_borrowers_own() -> None:
    detail = {"card": "**** 3445", "own_card": "**** 3445", "provider": "bank"}
    assert event_words("card_bind_refused", detail) == (
        "card **** 3445 not bound by the bank: not the borrower's own card (**** 3445)"
    )


@pytest.mark.parametrize(
    ("event", "detail", "said"),
    [
        ("id_refused", {"why": "valid until 2040-05-01"}, "身份证未通过：有效期至 2040-05-01"),
        (
            "sms_refused",
            {"provider": "sms", "why": "a new code can be requested in 60 s"},
            "短信网关未发送验证码：60 秒后才能重新获取验证码",
        ),
        (
            "sms_refused",
            {
                "provider": "sms",
                "why": "at most 1 codes an hour to one number; the next one can be requested at "
                "2026-03-02T11:00:00+08:00",
            },
            "短信网关未发送验证码：同一号码每小时最多发送 1 条验证码；下次可在 2026-03-02 "
            "11:00:00 获取",
        ),
        (
            "review_refused",
            {"age": 35, "why": "the applicant is 35; cash_loan lends from age 40"},
            "审核被拒：申请人 35 岁；cash_loan 从 40 岁起放款",
        ),
        (
            "sms_refused",
            {"provider": "sms", "why": "something new"},
            "短信网关未发送验证码：something new",
        ),
    ],
)
def test_a_recorded_reason_is_said_in_chinese(
    event: str, detail: dict[str, Any], said: str
) -> None:
    """The record keeps why in English, for engineers; a person reading Chinese reads it in
    Chinese where its wording is known (as it is, where it is not)."""
    set_language("zh")
    try:
        assert event_words(event, detail) == said
    finally:
        set_language("en")
    assert detail["why"] in (event_words(event, detail) or "")


@pytest.mark.parametrize(
    ("detail", "said"),
    [
        ("card **** 3445 is frozen", "（银行卡 **** 3445：已冻结）"),
        ("card **** 3445 is over_in_limit", "（银行卡 **** 3445：超出每日转入限额）"),
        (
            "3 failed attempts; locked until 2026-03-03T10:00:00+08:00",
            "（失败 3 次；锁定至 2026-03-03 10:00:00）",
        ),
        ("price 2999.00 > available 2000.00", "（价格 2999.00 超过可用额度 2000.00）"),
        ("no more answers for password", "（password 的答案已用完）"),
    ],
)
def test_what_a_stop_found_is_said_in_chinese(detail: str, said: str) -> None:
    set_language("zh")
    try:
        assert (
            event_words("stopped", {"sentence": "句子。", "detail": detail})
            == f"已停止：句子。{said}"
        )
    finally:
        set_language("en")


def _source_shapes() -> set[str]:
    """Every string the package writes outside the event words, its placeholders as ``{}``
    (an f-string's parts joined, however its source lines split it)."""
    import ast
    import re
    from pathlib import Path

    import loancli

    shapes: set[str] = set()
    for path in Path(loancli.__file__).parent.rglob("*.py"):
        if path.name == "event_words.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
                shapes.add("".join(str(p) for p in parts))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                shapes.add(re.sub(r"\{\w*\}", "{}", node.value))
    return shapes


def test_every_recorded_wording_is_one_the_code_still_writes() -> None:
    # A reason is recorded in English and read back in Chinese by its wording: a provider
    # that words it otherwise would leave it English, and nothing else would say so.
    import re

    from loancli.support.event_words import _RECORDED_WHYS

    shapes = _source_shapes()
    stale = [t for t in _RECORDED_WHYS if re.sub(r"\{\w+\}", "{}", t) not in shapes]
    assert not stale, stale


def test_a_profiles_contact_names_the_relation_in_the_commands_language() -> None:
    detail = {"employer": "小米", "contact": "王** (parent) 139****9000"}
    set_language("zh")
    try:
        assert event_text("profile_saved", detail).endswith("王** (父母) 139****9000")
        # Written otherwise (by hand, an older version): shown as it is.
        assert event_text("profile_saved", {**detail, "contact": "王**"}).endswith("王**")
    finally:
        set_language("en")
    assert event_text("profile_saved", detail).endswith("王** (parent) 139****9000")


def test_a_stop_recorded_in_english_reads_in_chinese() -> None:
    # A run recorded in English (a script, QA's walk) read by support under --lang zh.
    frozen = {
        "sentence": "The bound bank card is frozen and cannot receive the money.",
        "detail": "card **** 3445 is frozen",
    }
    locked = {"sentence": "The face check failed 3 times and is locked for 15 minutes."}
    set_language("zh")
    try:
        said = event_text("stopped", frozen)
        assert "绑定的银行卡已被冻结" in said and "frozen and cannot" not in said, said
        said = event_text("stopped", locked)
        assert "人脸识别失败3次，已锁定15分钟" in said and "face check" not in said, said
        # Every reason's sentence, recorded in English with the world's figures, reads as the
        # reason says it in Chinese (an account's class too: 二类户, not "Class II account").
        from loancli.reasons import FACT_KEYS, Reason

        for cls in ("I", "II", "III"):
            facts = {key: "5,000" for key in FACT_KEYS} | {"card_account_class": cls}
            facts |= {"face_lock": "15 minutes", "sms_validity": "5 minutes"}
            for reason in Reason:
                recorded = {"sentence": reason.sentence_in(facts, "en")}
                said = event_text("stopped", recorded).removeprefix("已停止：")
                assert said == reason.sentence_in(facts, "zh"), (reason, said)
        # A sentence no reason makes (written by hand) is shown as it is.
        assert "written by hand" in event_text("stopped", {"sentence": "written by hand"})
    finally:
        set_language("en")
    assert event_text("stopped", frozen).startswith("stopped: The bound bank card is frozen")


def _recorded_events() -> dict[str, str]:
    """Every event name the code records (``j.event(record, "name", ...)``, ``j.fail``), with
    the file that records it."""
    import re
    from pathlib import Path

    import loancli

    found: dict[str, str] = {}
    for path in Path(loancli.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'\.(?:event|fail)\(\s*[\w\[\]"]+,\s*"([a-z_]+)"', text):
            found.setdefault(match.group(1), path.name)
    return found


def test_every_event_the_code_records_has_words() -> None:
    """Nineteen events (an unlock, a password reset, a card unbound, a payout released...)
    had none: a timeline showed their ``key=value`` detail, English in a Chinese one."""
    recorded = _recorded_events()
    assert len(recorded) > 60  # the pattern finds them
    assert {e: f for e, f in recorded.items() if e not in LOAN_EVENT_WORDS} == {}


@pytest.mark.parametrize(
    ("event", "detail", "said"),
    [
        ("account_unlocked", {"phone": "138****8000", "notified": None}, "账户 138****8000 已解锁"),
        ("identity_refused", {"why": "no trusted device to approve on"}, "没有可确认的常用设备"),
        (
            "identity_refused",
            {"why": "the account has no ID number on file: no application passed the ID upload"},
            "身份核验未通过：账户没有登记身份证号",
        ),
        ("two_step_passed", {"mode": "code", "by": "the SMS login code"}, "凭短信登录验证码"),
        ("step_run", {"step": "card_binding"}, "重新执行"),
        ("card_unbound", {"card": "**** 3445"}, "银行卡 **** 3445 已解绑"),
        # Refusals whose detail held a recorded reason the words did not name.
        (
            "two_step_failed",
            {
                "mode": "confirm",
                "model": "Mi 14",
                "why": "the login was not approved on a trusted phone",
            },
            "登录未在常用设备上获得确认",
        ),
        (
            "card_bind_refused",
            {
                "why": "the account has no verified ID card (real-name authentication) to match "
                "the card"
            },
            "银行卡未绑定：账户没有已核验的身份证",
        ),
        (
            "identity_refused",
            {"why": "face check failed", "cause": "face_mismatch"},
            "人脸识别未通过",
        ),
        # No trusted device left: said so (it read "信任设备：" and stopped).
        (
            "new_device",
            {"model": "Redmi Note 13", "city": "北京", "trusted_devices": []},
            "信任设备：无",
        ),
    ],
)
def test_events_once_without_words_are_said_in_chinese(
    event: str, detail: dict[str, Any], said: str
) -> None:
    set_language("zh")
    try:
        text = event_text(event, detail)
    finally:
        set_language("en")
    assert said in text and "=" not in text, text


def test_every_step_a_flow_runs_has_a_name_in_chinese() -> None:
    """A card unbinding's and a contact removal's step showed as ``unbind`` and ``remove`` in
    a Chinese timeline."""
    import re
    from pathlib import Path

    import loancli
    from loancli.journey.account_flows import CHANGE_PHONE_STEPS
    from loancli.journey.checkout import CHECKOUT_STEPS
    from loancli.journey.login import UNLOCK_STEPS
    from loancli.support.names import STEP_NAMES, step_words

    root = Path(loancli.__file__).parent / "journey"
    # The steps of each flow run_flow is given as a list where it is called.
    lists = [
        m.group(1)
        for path in root.glob("*.py")
        for m in re.finditer(
            r'run_flow\(\s*j,\s*"[a-z_]+",\s*\[(.*?)\]', path.read_text(encoding="utf-8"), re.S
        )
    ]
    named = {m for text in lists for m in re.findall(r'\("([a-z_]+)",', text)}
    named |= {name for name, _step in (*CHANGE_PHONE_STEPS, *CHECKOUT_STEPS)} | set(UNLOCK_STEPS)
    assert {"unbind", "remove", "login", "plan"} <= named
    assert named <= set(STEP_NAMES), named - set(STEP_NAMES)
    set_language("zh")
    try:
        assert step_words("unbind") == "解绑" and step_words("remove") == "删除"
    finally:
        set_language("en")


# Details as the code records them (from runs of the journey, repay and the fees scenario).
_FEES = {"early_settlement": "2%", "monthly": "5.00", "upfront": "1%"}
_MONEY_EVENTS = [
    ("repaid", {"amount": "2000.00", "installments": [1], "interest_to_date": "4.83",
                "kind": "amount", "on": "2026-04-11", "prepaid_principal": "1073.19"}),
    ("repaid", {"amount": "3000.00", "early_settlement_fee": "40.47", "installments": [1],
                "interest_to_date": "9.11", "kind": "amount", "on": "2026-04-11",
                "prepaid_principal": "2023.44"}),
    ("repaid", {"amount": "10115.00", "interest_to_date": "15.00", "kind": "settle_all",
                "on": "2026-03-05", "upfront_fee_refunded": "100.00"}),
    ("repay_failed", {"installment": 2}),
    ("repay_failed", {"amount": "2000.00"}),
    ("repay_failed", {"settle": True}),
    ("quote_shown", {"amount": "10000.00", "apr": "20.99", "apr_compound": "23.14",
                     "fees": _FEES, "first_payment": "921.80", "method": "equal_installment",
                     "paid_out": "9900.00", "term": 12, "total_cost": "1161.61",
                     "total_fee": "160.00", "total_interest": "1001.61"}),
    ("disbursed", {"amount": "10000.00", "card": "**** 3445", "first_due_date": "2026-04-02",
                   "loan": "L0001", "paid_out": "9900.00", "repayment_day": 2}),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("event", "detail"), _MONEY_EVENTS)
def test_a_loans_money_events_are_said_in_words_in_both_languages(
    lang: str, event: str, detail: dict[str, object]
) -> None:
    # A prepayment with its interest to date, a settlement inside the fee-free days, a
    # refused repayment, a quote and a payout with fees: the timeline and the report showed
    # their key=value detail (kind=amount prepaid_principal=...), in Chinese too.
    set_language(lang)
    try:
        said = event_words(event, detail)
    finally:
        set_language("en")
    assert said is not None
    assert "=" not in said and "{" not in said, said
    for value in ("1073.19", "40.47", "100.00", "9900.00", "160.00", "2000.00"):
        if value in {str(v) for v in detail.values()}:
            assert value in said
