"""Reference tables generated from the code so they cannot drift: answer keys and reason
codes, in English or Chinese.

``python scripts/gen-docs.py`` writes them into docs/reference/; ``tests/cli/test_readme.py``
checks the pages.
"""

from __future__ import annotations

from loancli.i18n import in_language
from loancli.questions import QUESTIONS, app_word
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
                shown = [app_word(q.key, c) or c for c in q.choices]
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
    default = WorldSettings().facts()
    unset = {key for key, value in default.items() if value == "-"}
    shown = _scenario_facts()
    for r in Reason:
        # The default world's figures, but where it leaves one a reason says unset.
        says_unset = any(f"{{{key}" in "".join(r.template) for key in unset)
        facts = shown.get(r.value, default) if says_unset else default
        rows.append(f"| `{r.value}` | {r.sentence_in(facts, lang)} | {r.advice_in(facts, lang)} |")
    return "\n".join(rows)


def _scenario_facts() -> dict[str, dict[str, str]]:
    """The figures of the built-in scenario that stops with each reason, for a reason whose
    figure the default world leaves unset (it has no Class II card: "at most - yuan")."""
    out: dict[str, dict[str, str]] = {}
    for name in builtin_names():
        scenario = load_scenario(name)
        reason = scenario.expect.get("reason")
        if reason and reason not in out:
            out[reason] = scenario.world.facts()
    return out
