"""The README's reference tables, generated from the code so they cannot drift.

``python scripts/update-readme.py`` rewrites them; ``tests/test_readme.py`` checks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from loancli.i18n import in_language
from loancli.questions import CHOICE_WORDS, QUESTIONS
from loancli.reasons import Reason
from loancli.world.providers import WorldSettings
from loancli.world.scenario import builtin_names, load_scenario


def answer_keys_table(lang: str = "en") -> str:
    if lang == "zh":
        rows = ["| 答案键 | 提问 | 格式 | 默认值 |", "|---|---|---|---|"]
    else:
        rows = ["| key | asks | form | default | asked only when |", "|---|---|---|---|---|"]
    for q in QUESTIONS.values():
        own = "本人手机号" if lang == "zh" else "your own phone"
        default = own if q.default_from else ("" if q.default is None else f"`{q.default}`")
        if lang == "zh":
            form = in_language(lang, q.help) if q.help else ""
            if not form:
                words = CHOICE_WORDS.get(q.key, {})
                shown = [next((w for w, v in words.items() if v == c), c) for c in q.choices]
                form = "、".join(shown) if q.choices else q.kind
            rows.append(f"| `{q.key}` | {in_language(lang, q.prompt)} | {form} | {default} |")
            continue
        form = q.help or (", ".join(q.choices) if q.choices else q.kind)
        rows.append(f"| `{q.key}` | {q.prompt} | {form} | {default} | {q.asked_when} |")
    return "\n".join(rows)


def reason_codes_table(lang: str = "en") -> str:
    if lang == "zh":
        rows = ["| 原因代码 | 发生了什么 | App 给借款人的建议 |", "|---|---|---|"]
    else:
        rows = ["| reason | what happened | what the app tells the borrower |", "|---|---|---|"]
    facts = WorldSettings().facts()
    rows += [
        f"| `{r.value}` | {r.sentence_in(facts, lang)} | {r.advice_in(facts, lang)} |"
        for r in Reason
    ]
    return "\n".join(rows)


def scenarios_table() -> str:
    rows = ["| scenario | complaint | expected outcome |", "|---|---|---|"]
    for name in builtin_names():
        s = load_scenario(name)
        e = s.expect
        outcome = (
            f"stops at `{e.get('stopped_at')}`: `{e.get('reason')}`"
            if e.get("status") == "stopped"
            else e.get("status", "")
        )
        rows.append(f"| `{name}` | {s.description} | {outcome} |")
    return "\n".join(rows)


def generated(lang: str = "en") -> dict[str, str]:
    if lang == "zh":  # README.zh.md: the tables a Chinese reader needs
        return {"answer-keys": answer_keys_table(lang), "reason-codes": reason_codes_table(lang)}
    return {
        "answer-keys": answer_keys_table(),
        "reason-codes": reason_codes_table(),
        "scenarios": scenarios_table(),
    }


def _between(table: str) -> Callable[[re.Match[str]], str]:
    """The replacement for one marked section: its markers around the table."""
    return lambda m: m.group(1) + table + "\n" + m.group(2)


def fill(readme: str, lang: str = "en") -> str:
    """The README (``lang`` zh: README.zh.md) with every generated section replaced by its
    current table."""
    for name, table in generated(lang).items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n)(?:.*?\n)?(<!-- {name}:end -->)", re.S)
        if not pattern.search(readme):
            raise ValueError(f"README has no <!-- {name}:start/end --> markers")
        readme = pattern.sub(_between(table), readme)
    return readme
