"""How ID numbers, phones, cards and names are shown to people. One place, so every output
masks the same way."""

from __future__ import annotations


def mask_id(number: str) -> str:
    """``110105199003071234`` -> ``1101**********1234``."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """``13800138000`` -> ``138****8000``."""
    if len(phone) != 11:
        return "*" * max(len(phone) - 4, 0) + phone[-4:]
    return phone[:3] + "****" + phone[-4:]


def mask_card(number: str) -> str:
    """``6222021234567893445`` -> ``**** 3445``."""
    return "**** " + number[-4:]


def mask_name(name: str) -> str:
    """``王小明`` -> ``王**``: the surname stays, as on bank receipts."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)
