"""The language of what people read: English or Chinese, through gettext.

Messages are written in English in the code and marked ``_("...")``; the Chinese comes from the
catalog ``loancli/locale/zh_CN/LC_MESSAGES/loancli.po``, managed with Babel
(``scripts/update-catalogs.sh`` extracts, updates and compiles; the compiled ``.mo`` ships in
the package, and a test checks it is current). Only sentences change with the language: JSON
keys, reason codes, answer keys, ids and values stay the same in both.

The language is chosen once per command (``--lang``, else ``LOANCLI_LANG``, else the locale:
``LC_ALL``, ``LC_MESSAGES``, ``LANG`` starting with ``zh`` mean Chinese).
"""

from __future__ import annotations

import functools
import gettext
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "loancli"
LANGUAGES = ("en", "zh")
_CATALOG_NAMES = {"zh": "zh_CN"}

_current = "en"
_translations: dict[str, gettext.NullTranslations] = {}


def choose_language(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``--lang`` if given, else ``LOANCLI_LANG``, else the first locale variable set."""
    env = os.environ if environ is None else environ
    if option is not None:  # given, even empty: it must be a language
        return normalise(option)
    if env.get("LOANCLI_LANG"):
        return normalise(env["LOANCLI_LANG"])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def normalise(value: str) -> str:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` -> ``zh``; ``en``, ``en_US`` -> ``en``."""
    text = value.strip().lower()
    if text.startswith("zh") or text in ("cn", "中文"):
        return "zh"
    if text.startswith("en"):
        return "en"
    raise ValueError(f"{value!r} is not a language loancli speaks; choose zh or en")


def set_language(lang: str) -> None:
    global _current
    _current = normalise(lang)


def language() -> str:
    return _current


def after_colon() -> str:
    """What follows a label's colon: a space after an English one, none after a Chinese
    full-width one (``错误：--term：...``, ``稍后继续：loancli ...``)."""
    return "" if _current == "zh" else " "


def translations(lang: str) -> gettext.NullTranslations:
    if lang not in _translations:
        if lang == "en":
            _translations[lang] = gettext.NullTranslations()
        else:
            _translations[lang] = gettext.translation(
                DOMAIN, LOCALE_DIR, languages=[_CATALOG_NAMES[lang]], fallback=True
            )
    return _translations[lang]


def _(message: str) -> str:
    """``message`` in the current language (English when the catalog has no translation)."""
    return translations(_current).gettext(message)


def pgettext(context: str, message: str) -> str:
    """``message`` as ``context`` means it, in the current language: one English word Chinese
    says two ways (the column of a card's number, 卡号; the flow's step that binds one,
    绑卡)."""
    return translations(_current).pgettext(context, message)


def in_language(lang: str, message: str) -> str:
    """``message`` in ``lang``, whatever the current language (a bilingual report)."""
    return translations(normalise(lang)).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for the catalog where it is defined; it is translated where shown."""
    return message


@functools.cache
def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(template)))


def recorded_as(text: str, templates: Iterable[str]) -> tuple[str, dict[str, str]] | None:
    """Which of ``templates`` (English msgids with ``{names}``) a text recorded in English was
    made from, and the values it filled in; None for a text none of them made. A record keeps
    such texts for engineers; a person reads them again in their language."""
    for template in templates:
        match = _template_pattern(template).fullmatch(text)
        if match is not None:
            return template, match.groupdict()
    return None


_UNITS_ZH = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天"}


def localise_fact(value: str, lang: str) -> str:
    """A figure a sentence states, in ``lang``: ``5 minutes`` -> ``5分钟``, ``1 hour 30
    minutes`` -> ``1小时30分钟``; a bare number stays as it is."""
    if lang != "zh":
        return value

    def unit(match: re.Match[str]) -> str:
        return match.group(1) + _UNITS_ZH[match.group(2)]

    text = re.sub(r"(\d+) (second|minute|hour|day)s?", unit, value)
    return text.replace(" ", "")
