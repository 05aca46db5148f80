"""Every SMS text the simulated apps and banks send, as the apps word them.

Placeholders are filled with ``str.format``; ``{code}`` and ``{minutes}`` in a code template are
the code and the validity in force (``world/providers/sms.py``).
"""

LENDER_CODE_TEXT = "【小米金融】验证码{code}，您正在确认借款，{minutes}分钟内有效，请勿泄露。"
BANK_CODE_TEXT = "【{bank}】您正在绑定银行卡，验证码{code}，{minutes}分钟内有效。"
PLAN_TEXT = (
    "【小米分期】您在商户购买的{item}已分{periods}期，每期应还{first}元，首期还款日{due}，"
    "分期额度剩余{left}元。"
)
FROZEN_TEXT = "【小米金融】您的账户存在异常交易，已被冻结。如非本人操作，请立即联系客服。"
LOGIN_CODE_TEXT = "【小米账号】验证码{code}，您正在登录小米金融，{minutes}分钟内有效，请勿泄露。"
DEVICE_CODE_TEXT = (
    "【小米账号】验证码{code}，您的账号正在新设备上登录，{minutes}分钟内有效。"
    "如非本人操作，请立即修改密码。"
)
RISK_TEXT = (
    "【小米账号】您的账号于{at}在{city}的新设备{model}上登录，与上次登录地{last_city}"
    "不同。如非本人操作，请立即修改密码或联系客服。"
)
UNLOCK_TEXT = "【小米账号】您的账号已通过身份验证解锁，密码已重置。如非本人操作，请立即联系客服。"
CHANGE_CODE_TEXT = (
    "【小米金融】验证码{code}，您正在更换账户绑定的手机号，{minutes}分钟内有效，请勿泄露。"
)
OLD_NUMBER_NOTICE = (
    "【小米金融】您的账户绑定手机号已更换为{new}。如非本人操作，请立即联系客服。"
    "此号码将不再接收本账户的验证码和还款提醒。"
)
NEW_NUMBER_NOTICE = "【小米金融】您的账户已绑定本手机号，验证码、还款提醒和额度通知将发送至此号码。"
DISBURSED_TEXT = "【小米金融】您的借款{amount}元已发放至尾号{card}的银行卡，首期还款日{due}。"
PAYOUT_RELEASED_TEXT = (
    "【小米金融】您的借款已通过放款复核，{amount}元正在发放至尾号{card}的银行卡，请留意到账。"
)
PAYOUT_REFUSED_TEXT = (
    "【小米金融】很抱歉，您的借款{amount}元未通过放款复核，本次借款已取消，未产生任何费用，"
    "您无需还款。"
)
REMINDER_TEXT = (
    "【小米金融】您的借款第{n}期{amount}元将于{due}到期，请保持尾号{card}的银行卡余额充足。"
)
# A reminder of an installment no debit will be taken for (its card unbound from the account,
# or to bind again after a phone change).
REMINDER_NO_DEBIT_TEXT = (
    "【小米金融】您的借款第{n}期{amount}元将于{due}到期，尾号{card}的银行卡{why}，不会自动扣款，"
    "请重新绑定银行卡并按时还款。"
)
REMINDER_NO_DEBIT_WHY = {"card_not_bound": "已解绑", "card_rebind_required": "需重新绑定"}
DEBIT_FAILED_TEXT = (
    "【小米金融】您的借款第{n}期{amount}元从尾号{card}的银行卡自动扣款失败（{why}），"
    "请于{grace_end}前还款，以免逾期。"
)
# A debit the bank refused for the card's state: no money on it would pay the installment.
DEBIT_FAILED_CARD_TEXT = (
    "【小米金融】您的借款第{n}期{amount}元从尾号{card}的银行卡自动扣款失败（{why}），"
    "请于{grace_end}前更换还款银行卡并还款，以免逾期。"
)
DEBIT_FAILED_OVERDUE_TEXT = (
    "【小米金融】您的借款第{n}期{amount}元从尾号{card}的银行卡自动扣款失败（{why}），"
    "该期已逾期，请尽快还款。"
)
DEBIT_FAILED_WHY = {
    "insufficient_balance": "余额不足",
    "bank_error": "银行系统繁忙",
    "earlier_installment_unpaid": "前期欠款未结清",
    "card_frozen": "银行卡已冻结",
    "card_closed": "银行卡已注销",
}
DEBIT_SKIPPED_TEXT = (
    "【小米金融】您的借款第{n}期{amount}元未能从尾号{card}的银行卡自动扣款（{why}），"
    "请于{grace_end}前重新绑定银行卡并还款，以免逾期。"
)
DEBIT_SKIPPED_WHY = {"card_not_bound": "银行卡已解绑", "card_rebind_required": "银行卡需重新绑定"}
DOUBLE_DEBIT_TEXT = (
    "【小米金融】您的借款第{n}期从尾号{card}的银行卡重复扣款{amount}元，多扣款项将退回原卡。"
)
DOUBLE_DEBIT_REFUNDED_TEXT = (
    "【小米金融】您的借款第{n}期于{on}重复扣款的{amount}元已退回尾号{card}的银行卡，请注意查收。"
)
REPORT_NOTICE_TEXT = (
    "【小米金融】您的借款第{n}期已逾期。如在{report_on}前仍未还款，逾期信息将报送金融信用"
    "信息基础数据库（征信）。"
)
OBJECTION_ANSWER_TEXT = {
    "kept": "【小米金融】您对征信记录{entry}的异议已核查：记录属实，予以保留（{keep}）。",
    "corrected": "【小米金融】您对征信记录{entry}的异议已核查：记录有误，已更正删除。",
}
# Words only one kind of the lender's messages holds: a ticket's story expects each kind its
# borrower's numbers received (a reminder that went to the old number is found missing).
SMS_MARKS = {
    "reminder": "到期，请保持尾号",
    "reminder_no_debit": "不会自动扣款，请重新绑定",
    "debit_failed": "的银行卡自动扣款失败",
    "debit_skipped": "未能从尾号",
    "double_debit": "的银行卡重复扣款",
    "double_debit_refunded": "重复扣款的",
    "report_notice": "已逾期。如在",
    "objection_kept": "记录属实，予以保留",
    "objection_corrected": "记录有误，已更正删除",
}
# A kind's mark a story expects (a ticket's, made from what a number received) is also met by
# the messages of these kinds since: a reminder of an installment no debit will be taken for
# is a reminder (a ticket of an earlier loancli expects the one reminder's words).
SMS_MARK_ALSO = {"reminder": ("reminder_no_debit",)}
KEPT_UNTIL_TEXT = "将于{drops_on}后不再展示"
KEPT_FIVE_YEARS_TEXT = "自逾期结束之日起保留5年"
