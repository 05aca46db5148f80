"""Finding the scenario or story that reproduces a complaint, from the borrower's own words.

Every built-in scenario and story is one document: its name, its title or description, the
complaint phrases borrowers write (``complaint: {zh: [...], en: [...]}`` in its file), the
steps and reasons it expects, and each reason's sentence and advice, all in both languages.
A query is split into words the same way (Chinese by jieba, with the domain's words kept
whole; English lower-cased and reduced to a stem) and the documents are ranked by BM25.

Chinese is ranked twice, on words and on single characters, because a borrower's phrasing
does not always segment as the phrases do (刷了好几次脸 and 刷脸 share no word, but share 刷
and 脸); the characters count for :data:`CHAR_WEIGHT` of the words.

A query that is exactly a name, a reason code or a step (or holds one that cannot be an
ordinary word: ``card_frozen``, ``frozen-card``) ranks the items it names first
(:data:`EXACT_BONUS`), as :attr:`Found.exact` says.

jieba, rank_bm25 and numpy are imported on the first search only; ``loancli --help`` never
loads them.
"""

from __future__ import annotations

import functools
import marshal
import math
import os
import re
import shlex
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict

from loancli.errors import RuleError
from loancli.i18n import _, in_language, language
from loancli.reasons import Reason
from loancli.stories.format import Expect
from loancli.stories.runner import LoadedStory, builtin_story_names, load_story
from loancli.text import simplified
from loancli.world import scenario as scenarios
from loancli.world.providers import WorldSettings

if TYPE_CHECKING:
    from jieba import Tokenizer

Kind = Literal["scenario", "story"]
LANGUAGES = ("zh", "en")
LIMIT = 5
# How much a match on single Chinese characters counts beside a match on words.
CHAR_WEIGHT = 0.3
# What naming an item exactly adds to its score: more than any sentence scores, so a name
# comes before a reason code, a reason code before a step, and each before every sentence.
EXACT_BONUS = {"name": 3000.0, "reason": 2000.0, "step": 1000.0}

# Words of the apps and their borrowers, kept whole (jieba's dictionary splits some of them).
DOMAIN_WORDS = (
    "借款", "放款", "打款", "到账", "收款", "还款", "逾期", "罚息", "征信", "额度", "利率",
    "年化", "年化利率", "日利率", "利息", "二次分期", "协商还款", "分期", "宽限期", "提前结清",
    "验证码", "短信验证码", "确认码", "二次验证", "发送", "重新发送", "收不到", "发不出",
    "人脸识别", "刷脸", "活体检测", "眨眼", "张嘴", "摇头", "点头", "实名认证", "身份证",
    "人像面", "国徽面", "有效期", "过期", "模糊", "分辨率", "识别", "上传", "重新上传",
    "银行卡", "绑卡", "换绑", "解绑", "绑定", "预留手机号", "银行预留手机号", "持卡人",
    "交易密码", "冻结", "解冻", "注销", "销户", "停机", "手机号", "新手机", "旧手机",
    "新号码", "旧号码", "换号", "登录", "登不上", "新设备", "异地登录", "锁定", "解锁",
    "被锁", "审核", "审核中", "初审", "复审", "收入证明", "被拒", "客服", "套现", "风控",
    "商城分期", "分期额度", "系统版本", "安卓", "网络", "断网", "信号", "超时", "服务器",
)  # fmt: skip

# Words that say nothing about what went wrong: dropped from queries and documents alike.
STOPWORDS_ZH = frozenset(
    "的 了 吗 呢 吧 啊 呀 哦 么 嘛 啦 哈 呃 我 我的 你 你们 他 她 它 们 我们 是 在 都 也 就 "
    "还 又 很 太 这 那 个 和 与 及 或 把 给 让 跟 对 说 会 能 可以 怎么 怎么办 为什么 什么 啥 "
    "咋 一下 一个 已经 但是 可是 然后 而且 因为 所以 如果 就是 还是 自己 这个 那个 这样 怎样 "
    "请问 请 你好 您好 谢谢 麻烦 到底 究竟 一直 总是 老是 好 几 次 才 再 着 过 得 地 之 而 被 "
    "要 想 有 几次 好几次 好多次 半天".split()
)
STOPWORDS_EN = frozenset(
    "a an the i i'm im me my mine we our you your he she it it's its they them their this that "
    "these those is am are was were be been being do does did doing have has had having to of "
    "in on at by for from with about into as and or but if so then than too very just also "
    "what which who whom why how when where there here please hi hello thanks thank can could "
    "would should will shall may might must get got keep keeps kept still even again any some "
    "all after before up out now yet".split()
)
# Ways of saying one thing that share no word: the money did not arrive, it was not received.
SAME_ZH = {"不打到": "不到账", "不打款": "不到账", "不进账": "不到账", "不收到": "收不到"}
# Words the apps and borrowers use for one another: 修改手机号 (the apps') is what a borrower
# calls 更换手机号.
SAME_WORD_ZH = {"更换": "修改"}
# Said before a verb, they turn it round: joined to it (see _chinese).
NEGATIONS = frozenset("不 没 未 没有 无法 不能 不可 无 别".split())
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


# -- what is indexed -------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """One text an item is found by, in its language."""

    text: str
    lang: str


@dataclass(frozen=True)
class Item:
    """A scenario or a story as the finder sees it."""

    name: str
    kind: Kind
    # The reason code (or, for an outcome without one, the status) its last expectation names.
    reason: str | None
    steps: tuple[str, ...]
    reasons: tuple[str, ...]
    # The description (a scenario) or title (a story), in English, translated when shown.
    description: str
    complaints: tuple[Phrase, ...]
    texts: tuple[Phrase, ...]
    command: str


@dataclass(frozen=True)
class Found:
    """A scenario or story that matches a query, with the command that reproduces it."""

    name: str
    kind: Kind
    reason: str | None
    score: float
    # The complaint phrase (or description, reason sentence) that shares most with the query.
    matched: str
    # "name", "reason" or "step" when the query named one of the item's exactly.
    exact: str | None
    description: str
    command: str


class FoundJson(TypedDict):
    """A result as ``scenario find --json`` and ``story find --json`` give it."""

    name: str
    kind: Kind
    reason: str | None
    score: float
    exact: str | None
    matched: str
    description: str
    command: str


def story_command(name: str) -> str:
    """The command line that plays a built-in story from any folder, on a state file of its
    own."""
    return shlex.join(["loancli", "--db", f"{name}.json", "story", "run", name])


def scenario_item(scenario: scenarios.Scenario) -> Item:
    reason = scenario.expect.get("reason") or scenario.expect.get("status")
    codes = [scenario.expect["reason"]] if scenario.expect.get("reason") else []
    steps = [scenario.expect["stopped_at"]] if scenario.expect.get("stopped_at") else []
    return Item(
        name=scenario.name,
        kind="scenario",
        reason=reason,
        steps=tuple(steps),
        reasons=tuple(codes),
        description=scenario.description,
        complaints=_phrases(scenario.complaint),
        texts=_texts(scenario.name, scenario.description, codes, steps, scenario.world),
        command=scenarios.run_command(scenario),
    )


def story_item(loaded: LoadedStory) -> Item:
    """A story as found: its title, its complaint, every reason and step its actions expect,
    and the description of the scenario it plays in."""
    story = loaded.story
    expects = [loaded.expects[n] for n in sorted(loaded.expects)]
    codes = _unique(e.reason for e in expects if e.reason)
    steps = _unique(e.stopped_at for e in expects if e.stopped_at)
    events = _unique(ev.event for e in expects for ev in e.events)
    world = WorldSettings()
    described = loaded.title
    if story.world.scenario != "default" and story.world.scenario_text is None:
        scenario = scenarios.load_scenario(story.world.scenario)
        world = scenario.world
        described = f"{loaded.title}. {scenario.description}"
    texts = _texts(loaded.name, described, codes, [*steps, *events], world)
    return Item(
        name=loaded.name,
        kind="story",
        reason=_final_reason(expects),
        steps=tuple(steps),
        reasons=tuple(codes),
        description=loaded.title,
        complaints=_phrases({"zh": story.complaint.zh, "en": story.complaint.en}),
        texts=texts,
        command=story_command(loaded.name),
    )


def _final_reason(expects: Sequence[Expect]) -> str | None:
    for expect in reversed(expects):
        if expect.reason or expect.status:
            return expect.reason or expect.status
    return None


def _phrases(by_lang: dict[str, list[str]]) -> tuple[Phrase, ...]:
    return tuple(Phrase(text, lang) for lang in LANGUAGES for text in by_lang.get(lang, []))


def _texts(
    name: str,
    description: str,
    codes: Sequence[str],
    words: Sequence[str],
    world: WorldSettings,
) -> tuple[Phrase, ...]:
    """The other texts an item is found by: its name, its description in both languages, the
    steps and events it expects, and each reason's sentence and advice in both languages."""
    facts = world.facts()
    out = [Phrase(name.replace("-", " "), "en")]
    out += [Phrase(w.replace("_", " "), "en") for w in words]
    for lang in LANGUAGES:
        if description:
            out.append(Phrase(in_language(lang, description), lang))
        for code in codes:
            reason = Reason(code)
            out.append(Phrase(code.replace("_", " "), "en"))
            out.append(Phrase(reason.sentence_in(facts, lang), lang))
            out.append(Phrase(reason.advice_in(facts, lang), lang))
    return tuple(out)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def builtin_items() -> list[Item]:
    """Every built-in scenario and story, as the finder indexes them."""
    items = [scenario_item(scenarios.load_scenario(n)) for n in scenarios.builtin_names()]
    scenario_names = {item.name for item in items}
    for name in builtin_story_names():
        loaded = load_story(name)
        # A story that only plays a scenario's one command is that scenario's regression test,
        # found as the scenario (by the scenario's own words), not as a second result.
        if _scenario_played(loaded) not in scenario_names:
            items.append(story_item(loaded))
    return items


def _scenario_played(loaded: LoadedStory) -> str | None:
    """The scenario a one-action story plays in, when that action is the scenario's command
    in a built-in world of that name; None for any other story."""
    story = loaded.story
    if len(story.actions) != 1 or story.world.scenario_text is not None:
        return None
    return story.world.scenario if story.world.scenario != "default" else None


# -- words -----------------------------------------------------------------------------------


def cache_folder() -> Path:
    """Where jieba keeps its prefix dictionary between runs: the user's cache folder, else the
    system's temporary folder."""
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("loancli"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return Path(tempfile.gettempdir())


@functools.cache
def segmenter() -> Tokenizer:
    """jieba's tokenizer, once per process: quiet, its dictionary cached, the domain's words
    added."""
    with warnings.catch_warnings():
        # jieba reaches for pkg_resources, which newer setuptools warns about.
        warnings.simplefilter("ignore")
        import jieba
    import logging  # with jieba: nothing else here logs

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache_folder())
    if not _load_cached_dictionary(tokenizer):
        tokenizer.initialize()  # builds the prefix dictionary and writes the cache
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word)
    return tokenizer


def _load_cached_dictionary(tokenizer: Tokenizer) -> bool:
    """Read jieba's cached prefix dictionary in one read, as jieba would: jieba's own
    ``marshal.load`` on the open file reads it in small pieces and takes four times as long
    (about 1.6 s against 0.4 s). False when there is no usable cache yet."""
    path = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    try:
        freq, total = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return False
    if not isinstance(freq, dict) or not freq or not isinstance(total, int):
        return False
    tokenizer.FREQ, tokenizer.total = freq, total
    tokenizer.initialized = True
    return True


def words(text: str) -> list[str]:
    """The words of ``text`` that say something, as the index holds them: Chinese segmented
    (search mode: 人脸识别 gives 人脸, 识别 and 人脸识别), English lower-cased and stemmed,
    stopwords and punctuation dropped."""
    out: list[str] = []
    for cjk, latin in _runs(text):
        out += _chinese(cjk) if cjk else [stem(w) for w in _english(latin)]
    return out


def _chinese(text: str) -> list[str]:
    """A run of Chinese as words: a negation joined to the word it denies (没通过, 未通过 and
    不通过 are all 不通过, never 通过), and a long word's dictionary parts beside it, as
    jieba's search mode gives them."""
    tokenizer = segmenter()
    out: list[str] = []
    negated = False
    for word in tokenizer.cut(text):
        if word in NEGATIONS:
            negated = True
            continue
        if negated:
            out.append(SAME_ZH.get("不" + word, "不" + word))
            negated = False
            continue
        if word in STOPWORDS_ZH:
            continue
        for size in (2, 3):
            if len(word) > size:
                parts = (word[i : i + size] for i in range(len(word) - size + 1))
                out += [
                    SAME_WORD_ZH.get(p, p)
                    for p in parts
                    if tokenizer.FREQ.get(p) and p not in STOPWORDS_ZH
                ]
        out.append(SAME_WORD_ZH.get(word, word))
    return out


def _simplified(chinese: str) -> str:
    """A run of Chinese in simplified characters (OpenCC's traditional-to-simplified table,
    characters and phrases: 乾燥 is 干燥, 於是 is 于是); simplified text is left as it is."""
    return simplified(chinese)


def characters(text: str) -> list[str]:
    """The Chinese characters of ``text`` outside stopwords (the second, coarser index)."""
    out: list[str] = []
    for cjk, _latin in _runs(text):
        for word in segmenter().cut(cjk) if cjk else []:
            if word not in STOPWORDS_ZH:
                out += [c for c in word if c not in STOPWORDS_ZH]
    return out


def _runs(text: str) -> list[tuple[str, str]]:
    """``text`` as runs of Chinese, in simplified characters whatever was typed (銀行卡被凍結
    is 银行卡被冻结), and of everything else: (chinese, "") or ("", other)."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[tuple[str, str]] = []
    at = 0
    for match in _CJK.finditer(text):
        if match.start() > at:
            out.append(("", text[at : match.start()]))
        out.append((_simplified(match.group()), ""))
        at = match.end()
    if at < len(text):
        out.append(("", text[at:]))
    return out


def _english(text: str) -> list[str]:
    out = []
    for word in _LATIN.findall(text.replace("’", "'")):
        if word.endswith("n't") or word in ("cannot", "cant", "dont", "didnt", "wont", "isnt"):
            word = "not"
        elif "'" in word:
            word = word.split("'")[0]
        if word not in STOPWORDS_EN:
            out.append(KIN.get(word, word))
    return out


# Whose card or phone it is matters more than which relative: all of them are one word.
KIN = dict.fromkeys(
    "mother mom mum mama father dad papa parent parents wife husband spouse girlfriend "
    "boyfriend partner friend friends sister brother son daughter relative relatives cousin "
    "aunt uncle grandma grandpa".split(),
    "family",
)


def stem(word: str) -> str:
    """A light English stem, the same for a word's common forms: arrived, arrives, arriving
    and arrive give ``arriv``; codes and code give ``cod``."""
    if not word.isalpha():
        return word
    for suffix in ("ing", "ed", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


# -- ranking ---------------------------------------------------------------------------------


class Index:
    """BM25 over one document per item, on words and on Chinese characters."""

    def __init__(self, items: Sequence[Item]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from rank_bm25 import BM25Okapi

        self.items = list(items)
        # Each item's phrases, segmented once: (text, words, characters).
        self.phrases = [
            [(p.text, words(p.text), characters(p.text)) for p in (*i.complaints, *i.texts)]
            for i in self.items
        ]
        self._words = BM25Okapi([[w for p in doc for w in p[1]] for doc in self.phrases])
        self._chars = BM25Okapi([[c for p in doc for c in p[2]] for doc in self.phrases])

    def scores(self, query: str) -> list[float]:
        by_word = self._words.get_scores(words(query))
        by_char = self._chars.get_scores(characters(query))
        return [float(w) + CHAR_WEIGHT * float(c) for w, c in zip(by_word, by_char, strict=True)]

    def best_phrase(self, at: int, query: str) -> str:
        """Item ``at``'s phrase that shares the most telling words with the query (a
        complaint before any other text when they share as much)."""
        asked, asked_chars = set(words(query)), set(characters(query))
        best, matched = 0.0, ""
        for text, said, chars in self.phrases[at]:
            # fsum is exact, so the total does not depend on the set's (hash-seeded) order:
            # phrases sharing the same words tie, and the first (a complaint) wins.
            shared = math.fsum(
                [float(self._words.idf.get(w, 0.0)) for w in asked.intersection(said)]
                + [CHAR_WEIGHT * len(asked_chars.intersection(chars))]
            )
            if shared > best:
                best, matched = shared, text
        return matched


@functools.cache
def builtin_index() -> Index:
    return Index(builtin_items())


# The most Chinese characters a complaint looked for holds (a borrower's message is a few
# sentences).
QUERY_MAX = 2000


def find(
    query: str, *, limit: int = LIMIT, index: Index | None = None, lang: str | None = None
) -> list[Found]:
    """The scenarios and stories that best match ``query`` (a complaint in Chinese or English,
    a name, a reason code or a step), best first, at most ``limit``; each one's description
    in the language of this command, and its command in ``lang`` when one is given (a
    pasted reproduction speaks the language it was found in)."""
    index = index if index is not None else builtin_index()
    text = " ".join(query.split())
    if not text:
        return []
    # Counted as segmenting reads it (a Kangxi radical is the character it stands for).
    chinese = sum(len(run) for run in _CJK.findall(unicodedata.normalize("NFKC", text)))
    if chinese > QUERY_MAX:
        # Segmenting Chinese grows faster than the text: 40,000 characters took a minute (a
        # long token of anything else costs nothing: it is one word).
        raise RuleError(
            "words",
            _(
                "a complaint of {value0} characters; give its first sentences, at most "
                "{value1} characters"
            ).format(value0=chinese, value1=QUERY_MAX),
        )
    ranked = []
    named = _named(text.lower())
    for at, score in enumerate(index.scores(text)):
        item = index.items[at]
        exact = _exact(item, named)
        if exact is None and score <= 0:
            continue
        score += EXACT_BONUS[exact[0]] if exact else 0.0
        ranked.append((round(score, 4), at, exact))
    ranked.sort(key=lambda r: (-r[0], index.items[r[1]].kind, index.items[r[1]].name))
    out = []
    for score, at, exact in ranked[:limit]:
        item = index.items[at]
        out.append(
            Found(
                name=item.name,
                kind=item.kind,
                reason=item.reason,
                score=score,
                matched=exact[1] if exact else index.best_phrase(at, text),
                exact=exact[0] if exact else None,
                description=in_language(language(), item.description),
                command=_in_lang(item.command, lang),
            )
        )
    return out


def _in_lang(command: str, lang: str | None) -> str:
    """``loancli ...`` with ``--lang LANG`` after the program's name."""
    if lang is None:
        return command
    words = shlex.split(command)
    return shlex.join([words[0], "--lang", lang, *words[1:]])


# A name or code inside a longer query counts only when it cannot be an ordinary word. The
# words are found by a pattern that never fails part-way (a run of letters without a "-"
# is one word, not tried again from each of its letters: a 5,000-letter token took 100 s).
_WORD = re.compile(r"[a-z0-9]+(?:[_-]+[a-z0-9]+)*")
_IDENTIFIER = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)+")
_DOUBLED = re.compile(r"[_-]{2,}")


def _named(query: str) -> frozenset[str]:
    """What a query may name: itself whole, and each identifier-like word in it."""
    words = (w for w in _WORD.findall(query) if "-" in w or "_" in w)
    pieces = (p for w in words for p in _DOUBLED.split(w))  # "x--card-frozen": card-frozen
    return frozenset({query, *(p for p in pieces if _IDENTIFIER.fullmatch(p))})


def _exact(item: Item, named: frozenset[str]) -> tuple[str, str] | None:
    """("name", name), ("reason", code) or ("step", step) when the query (what it may name:
    :func:`_named`) names one of the item's; None otherwise."""
    if item.name in named:
        return ("name", item.name)
    for code in (*item.reasons, item.reason):
        if code and code in named:
            return ("reason", code)
    for step in item.steps:
        if step in named:
            return ("step", step)
    return None


def why(found: Found) -> str:
    """Why a result was found, in a sentence: the phrase it matched, or what the query named."""
    if found.exact == "name":
        return _("its name")
    if found.exact == "reason":
        return _("it stops with {reason}").format(reason=found.matched)
    if found.exact == "step":
        return _("it stops at the step {step}").format(step=found.matched)
    return f"“{found.matched}”"


def as_json(found: Found) -> FoundJson:
    """A result as ``scenario find --json`` and ``story find --json`` give it."""
    return {
        "name": found.name,
        "kind": found.kind,
        "reason": found.reason,
        "score": found.score,
        "exact": found.exact,
        "matched": found.matched,
        "description": found.description,
        "command": found.command,
    }
