"""Ticket bundles without personal data that still replay.

A bundle made by ``report ID --bundle`` replaces every personal value with a stand-in: the
phones, ID numbers, names, addresses, card numbers, contacts and employers, in the ticket's
answers, in every scenario inlined in it (YAML inside a string: parsed, mapped, dumped), in the
events and sentences where they were recorded masked (the masked original becomes the masked
stand-in), in the report and in the ID images, which are drawn again from the stand-in
identity. The same value always gets the same stand-in, and two values never share one, so
what was equal stays equal (a card's reserved phone and the account's; a new number and the
account that already holds it) and what differed still differs.

A stand-in keeps what the rules look at: an ID number keeps its birth date and its sex digit,
takes a real area code of the same province (the address drawn on the card codes to it) and
a check character that passes GB 11643 exactly when the original's did; a card keeps its bank
(the first 6 digits), its length and whether it passes Luhn; a phone keeps its first 3 digits.
What a mask shows of a stand-in depends only on what it shows of the original (a phone's last
4 digits, a card's, a name's surname and length), so a masked event maps without knowing which
of two values with one mask it was. ID numbers are the exception: their check character
follows the hidden birth date, so two ID numbers with one mask may get stand-ins whose masks
differ. An image keeps its size, its file name, whether it is blurry and whether it carries a
card at all; a file that is not an image is left as it is. Monthly income, birth date, sex,
ethnicity, the card's validity and the enrolled face are kept: rules read them. The stand-in a
run recorded for each password and transaction password (a function of the secret alone: a
table of them would read it back) becomes another of its shape drawn without the secret, in
a bundle that keeps the personal data too.

Stand-ins are drawn from :class:`~loancli.clock.Rng` streams keyed (HMAC-SHA256) with a salt
that is itself a keyed hash of the ticket and its images: the same bundle gives the same
bytes, and nobody without the originals can recompute the salt.

Everything here works on the ticket as plain data (nested mappings, lists and text) and on the
members as bytes, whatever their exact shape: personal values are found by what they look like
(an 11-digit mobile number, a valid ID number, a UnionPay card) and by the keys that hold them
(``contact_name``, ``employer``, ``name`` and ``number`` under ``identity``, ``cards``,
``contacts``, the fields an ID image carries).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import re
import shlex
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import cast

from loancli.account.hashing import (
    PIN_KEYS,
    SECRET_KEYS,
    earlier_stand_in,
    is_stand_in,
    shaped,
    stand_in,
)
from loancli.asking import read_yaml, read_yaml_file, yaml_text
from loancli.clock import Rng
from loancli.errors import RuleError
from loancli.i18n import N_, _
from loancli.identity.areas import address_prefixes, area_for_address, issuing_authority
from loancli.identity.card import METADATA_KEY, IdCardFields, parse_validity
from loancli.identity.idnumber import CHECK_CHARS, check_char
from loancli.identity.images import BLUR_RADIUS, drawn_side, side_png
from loancli.identity.photo import (
    DEFAULT_LIMITS,
    ImageCheck,
    fields_in_chunk,
    measure,
    open_photo,
)
from loancli.masking import (
    ADDRESS_SHOWN,
    HALF_WIDTH,
    map_texts,
    mask_card,
    mask_employer,
    mask_id,
    mask_name,
    mask_numbers,
    mask_phone,
)
from loancli.validation import luhn_ok
from loancli.world.scenario import BUILTIN_DIR, builtin_names

# The ticket's top-level key that says which kind of bundle it is.
PERSONAL_DATA = "personal_data"
PSEUDONYMISED = "pseudonymised"
KEPT = "kept"

# Where a ticket names a scenario and inlines its YAML (a run's keys).
SCENARIO = "scenario"
SCENARIO_TEXT = "scenario_text"
IMAGES = "images/"

# Keys whose values are personal whatever they look like.
PHONE_KEYS = frozenset(
    {"phone", "card_phone", "contact_phone", "new_phone", "old_phone", "reserved_phone", "mobile"}
)
CARD_KEYS = frozenset({"card_number", "card"})
ID_KEYS = frozenset({"id_number"})
NAME_KEYS = frozenset({"contact_name", "card_holder"})
# ``--set KEY=VALUE`` of a personal answer in a report's command (quoted or not), its value
# as the report masked it.
_PERSONAL_SET = re.compile(
    r"(?P<head>--set '?\s*(?:"
    + "|".join(sorted(PHONE_KEYS | CARD_KEYS | ID_KEYS | NAME_KEYS | {"employer", "login_id"}))
    + r")\s*=\s*)(?P<value>[^'\s]*(?: [^'\s-][^'\s]*)*)"
)
# ``name`` and ``number`` are personal under these keys (a scenario's account preset, the
# fields an ID image carries), not elsewhere (a scenario's own name).
PERSON_PARENTS = frozenset({"identity", "contacts"})
CARD_PARENTS = frozenset({"cards"})

_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# A mobile number with the country's code before it (+86, 0086, 86), the number alone taken.
_PHONE_86 = re.compile(r"(?<![0-9])(?:\+|00)?86[ -]?(1[3-9][0-9]{9})(?![0-9])")
_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_UNIONPAY = re.compile(r"(?<![0-9])62[0-9]{14,17}(?![0-9])")
# The same numbers written loosely in free text (a file's name, a sentence): a mobile number
# in groups (155 7573 8225, (155)7573-8225, +86-155-…), an ID number in groups, a card in
# groups of four. Each is taken as the number it is, and its text replaced with the number's.
# A bracket is taken with the first three digits only when it closes after them: one before
# a number written whole, "(13800138000)", is the sentence's, and was replaced with it.
_LOOSE_PHONE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[ ._-]?)?(?P<open>\()?(1[3-9][0-9])(?(open)\))[ ._-]?([0-9]{4})"
    r"[ ._-]?([0-9]{4})(?![0-9])"
)
_LOOSE_ID = re.compile(
    r"(?<![0-9])([0-9]{6})[ ._-]?([0-9]{4})[ ._-]?([0-9]{4})[ ._-]?([0-9]{3})[ ._-]?([0-9Xx])"
    r"(?![0-9A-Za-z])"
)
_LOOSE_CARD = re.compile(
    r"(?<![0-9])(62[0-9]{2}(?:[ ._-][0-9]{4}){3}(?:[ ._-][0-9]{1,3})?)(?![0-9])"
)
# Where the borrower's own words are: an objection's reason (a story's ``object`` action).
_WORDS_KEY, _WORDS_ACTION = "reason", "object"

_SALT_KEY = b"loancli bundle pseudonyms v1"
# Common surnames and given-name characters, all in the card font.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严武戴莫孔汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞平刚英玉兰萍鹏晨辉建志宇浩然欣怡轩涵雨思博嘉琪俊凯"
    "婷雪琳慧颖松柏峰"
)
_STREETS = (
    "人民路",
    "解放路",
    "建设路",
    "和平路",
    "新华路",
    "文化路",
    "胜利路",
    "青年路",
    "光明路",
    "幸福路",
    "团结路",
    "育才路",
    "工农路",
    "友谊路",
)
_FIRMS = ("华信", "恒达", "远航", "启明", "瑞丰", "联创", "正泰", "宏图")
_TRADES = ("科技", "贸易", "信息技术", "物流", "文化传媒", "电子商务", "建筑工程", "餐饮管理")
_TRIES = 10_000
# The domain field a bundle that cannot be made is refused as (``cli/`` names the option).
BUNDLE = "bundle"


@dataclass
class Originals:
    """The personal values found in a ticket and its images, by kind. ``places`` pairs the
    address and issuing authority printed on a card with the card's ID number, whose area
    decides theirs."""

    phones: set[str] = field(default_factory=set)
    id_numbers: set[str] = field(default_factory=set)
    cards: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    employers: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    authorities: set[str] = field(default_factory=set)
    # Other identifying numbers (an ID number of another length): digits replaced.
    others: set[str] = field(default_factory=set)
    places: list[tuple[str, str]] = field(default_factory=list)  # (address or authority, ID)
    # Numbers that look like an ID number or a card where no key says which: a key wins.
    seen_ids: set[str] = field(default_factory=set)
    seen_cards: set[str] = field(default_factory=set)
    # What the borrower wrote in their own words (an objection's reason): left out whole.
    words: dict[str, None] = field(default_factory=dict)
    # A number as a scenario file wrote it (``+86 176 3977 0824``, ``6217 9956 …``, a small
    # ``x``) and as the checks keep it: the text is replaced with the number's stand-in.
    loose: dict[str, str] = field(default_factory=dict)
    # The secrets (the stand-ins a run recorded, or a scenario's own text) with their kind
    # ("password" or "pin"), in the order a walk of the ticket first meets them.
    secrets: dict[tuple[str, str], None] = field(default_factory=dict)


def personal_data(
    ticket: Mapping[str, object],
    files: Mapping[str, bytes],
    *,
    keep: bool,
    phones: Iterable[str] = (),
) -> tuple[dict[str, object], dict[str, bytes]]:
    """The ticket and members a bundle carries. Built-in scenarios are inlined (a replay then
    seeds their accounts with the passwords' stand-ins, and the stand-ins reach their
    numbers); unless ``keep``, every personal value is replaced (see the module). The ticket
    says which under :data:`PERSONAL_DATA`. ``phones``: the account's numbers besides those
    the ticket holds (one a phone change moved it to, which the reports name)."""
    inlined = inline_builtin_scenarios(ticket)
    if keep:
        return _marked(kept_secrets_rekeyed(inlined, files), KEPT), dict(files)
    mapped, members = pseudonymise(inlined, files, phones)
    return _marked(mapped, PSEUDONYMISED), members


def inline_builtin_scenarios(ticket: Mapping[str, object]) -> dict[str, object]:
    """The ticket with each built-in scenario a run names (other than the default) inlined
    as its ``scenario_text``, as a scenario file's body is; a run's inlined scenario without
    the borrower's answers the run's own answers give (see :func:`_answered_borrower_out`)."""
    names = set(builtin_names()) - {"default"}
    recorded = _password_stand_ins(ticket)

    def inline_mapping(value: Mapping[str, object]) -> dict[str, object]:
        out = {k: inline(v) for k, v in value.items()}
        name = out.get(SCENARIO)
        if isinstance(name, str) and name in names and not out.get(SCENARIO_TEXT):
            out[SCENARIO_TEXT] = builtin_scenario_text(name, recorded)
        text, answers = out.get(SCENARIO_TEXT), out.get("answers")
        if isinstance(text, str) and isinstance(answers, Mapping):
            out[SCENARIO_TEXT] = _answered_borrower_out(text, answers)
        return out

    def inline(value: object) -> object:
        if isinstance(value, Mapping):
            return inline_mapping(value)
        if isinstance(value, list):
            return [inline(v) for v in value]
        return value

    return inline_mapping(ticket)


def _answered_borrower_out(text: str, answers: Mapping[str, object]) -> str:
    """A run's scenario without the borrower's answers the run's answers give. A run's
    answers are the ones it took; a story puts a scenario's borrower answers over its own
    (as over an answers file), so one given with ``--set`` over the borrower's was replayed
    as the borrower's."""
    data = _parsed_yaml(text)
    borrower = data.get("borrower") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(borrower, dict):
        return text
    left = {k: v for k, v in borrower.items() if k not in answers}
    if len(left) == len(borrower):
        return text
    if left:
        data["borrower"] = left
    else:
        del data["borrower"]
    return yaml_text(data)


def builtin_scenario_text(name: str, recorded: Collection[str] = ()) -> str:
    """A built-in scenario's YAML as a ticket inlines it: its preset accounts' passwords as
    the stand-ins the answers carry. A run recorded before 2026-12-06 carries the stand-in
    earlier versions made: a password whose earlier stand-in is among ``recorded`` (and its
    own is not) gets that one, so the replay logs in as the run did."""

    path = BUILTIN_DIR / f"{name}.yaml"
    data = read_yaml_file(path, "scenario file", key="scenario", typed=True)
    accounts = data.get("accounts") if isinstance(data, dict) else None
    for account in accounts or []:
        if isinstance(account, dict) and isinstance(account.get("password"), str):
            password = account["password"]
            shown = stand_in(password)
            if shown not in recorded and earlier_stand_in(password) in recorded:
                shown = earlier_stand_in(password)
            account["password"] = shown
    return yaml_text(data)


def _password_stand_ins(value: object) -> set[str]:
    """Every password stand-in a ticket's answers carry (``stand-in-`` and ten hex digits)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item.startswith("stand-in-"):
                found.add(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def pseudonymise(
    ticket: Mapping[str, object], files: Mapping[str, bytes], phones: Iterable[str] = ()
) -> tuple[dict[str, object], dict[str, bytes]]:
    """The ticket and its members with every personal value replaced by its stand-in, the ID
    images drawn again; the events' and reports' blur scores follow the new images. ``phones``
    are numbers the members may name that the ticket does not hold."""
    printed = [_card_fields(data) for name, data in files.items() if name.startswith(IMAGES)]
    # Digits and letters typed full-width (证１１０１…, a Chinese keyboard's) read as the
    # numbers they are, so they are found as the same typed half-width (and replaced where
    # they are, :meth:`StandIns.text`; the rest of the text keeps what was typed).
    originals = collect(
        map_texts(ticket, lambda text: text.translate(HALF_WIDTH)),
        [fields for fields in printed if fields],
    )
    originals.phones |= {phone for phone in phones if phone}
    stand_ins = StandIns(originals, bundle_salt(ticket, files))
    mapped = stand_ins.mapping(ticket)
    members: dict[str, bytes] = {}
    scores: dict[tuple[str, float], float] = {}
    for name in sorted(files):
        data, new_name = files[name], stand_ins.text(name)
        if name.startswith(IMAGES):
            data, change = redraw(data, stand_ins)
            if change is not None:
                scores[(PurePosixPath(new_name).name, change[0])] = change[1]
        else:
            data = _member(name, data, stand_ins)
        members[new_name] = data
    mapped = _rescored_mapping(mapped, scores)
    for name, data in members.items():
        if name.endswith(".json"):
            members[name] = _json_rescored(data, scores)
        elif name.endswith(".md"):
            members[name] = _markdown_rescored(data, scores)
    return mapped, members


def bundle_salt(ticket: Mapping[str, object], files: Mapping[str, bytes]) -> bytes:
    """A keyed hash of the ticket and its images (not the reports, which name the bundle's
    own file, nor the story's title, which is in the language the bundle was made in): the
    seed of every stand-in, the same for one record whoever bundles it, in any language. The
    secrets are left out: whoever knows the rest of the ticket learns nothing of them from
    their stand-ins."""
    digest = hmac.new(_SALT_KEY, digestmod=hashlib.sha256)
    story = ticket.get("story")
    if isinstance(story, Mapping):
        ticket = {**ticket, "story": {k: v for k, v in story.items() if k != "title"}}
    text = json.dumps(_without_secrets(ticket), sort_keys=True, default=str, ensure_ascii=False)
    digest.update(text.encode())
    for name in sorted(n for n in files if n.startswith(IMAGES)):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.digest()


def _without_secrets(value: object) -> object:
    """``value`` with every secret blanked, an inlined scenario's YAML read and walked too."""

    def scenario(text: str, parsed: object) -> object:
        return text if parsed is None else {"read": _with_secrets(parsed, blank, scenario)}

    def blank(_key: str, _value: object) -> object:
        return None

    return _with_secrets(value, blank, scenario)


def _with_secrets(
    value: object,
    secret: Callable[[str, object], object],
    scenario: Callable[[str, object], object],
) -> object:
    """``value`` with each value under a secret's key as ``secret`` gives it (the key, the
    value), and each inlined scenario as ``scenario`` gives it (its text, the text read)."""
    if isinstance(value, Mapping):
        out: dict[object, object] = {}
        for k, v in value.items():
            if k in SECRET_KEYS:
                out[k] = secret(str(k), v)
            elif k == SCENARIO_TEXT and isinstance(v, str):
                out[k] = scenario(v, _parsed_yaml(v))
            else:
                out[k] = _with_secrets(v, secret, scenario)
        return out
    if isinstance(value, list):
        return [_with_secrets(v, secret, scenario) for v in value]
    return value


def collect(ticket: object, card_fields: Iterable[Mapping[str, str]] = ()) -> Originals:
    """The personal values in ``ticket`` (scenarios inlined as YAML included) and in the
    fields the ID images carry."""
    found = Originals()
    for keys, value in _leaves(ticket, ()):
        _classify(found, keys, value)
    for fields in card_fields:
        for keys, value in _leaves({"identity": dict(fields)}, ()):
            _classify(found, keys, value)
        number = str(fields.get("number", ""))
        for key in ("address", "authority"):
            text = fields.get(key)
            if isinstance(text, str) and text:
                found.places.append((text, number))
    found.id_numbers |= found.seen_ids - found.cards
    found.cards |= found.seen_cards - found.id_numbers
    return found


class StandIns:
    """The stand-in of every original, by kind, and the mapping of text and data with them."""

    def __init__(self, originals: Originals, salt: bytes) -> None:
        self.salt = salt
        avoid = _text_originals(originals)
        self.areas = _areas(originals, salt)
        self.phones = _phones(sorted(originals.phones), salt)
        self.cards = _cards(sorted(originals.cards), salt)
        self.id_numbers = _id_numbers(sorted(originals.id_numbers), salt, self.areas)
        self.names = _names(sorted(originals.names), salt, avoid)
        self.employers = _employers(sorted(originals.employers), salt, avoid)
        self.addresses, self.authorities = _places(originals, salt, self, avoid)
        self.others = {o: _digits_replaced(o, _rng(salt, "other", o)) for o in originals.others}
        self.secrets = _secrets(list(originals.secrets), salt)
        self._loose = originals.loose
        # What the borrower wrote cannot be told apart from who they are: left out whole.
        self.words = {
            text: f"[left out: what the borrower wrote, {n}]"
            for n, text in enumerate(originals.words, 1)
        }
        self._replacements = self._with_masks()
        self._pattern = _pattern(self._replacements)
        # A loan event's card by its last 4 digits alone (``card: '3445'``, a debit's).
        self._card_ends = {old[-4:]: new[-4:] for old, new in self.cards.items()}

    def _with_masks(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for table, mask in (
            (self.phones, mask_phone),
            (self.cards, mask_card),
            (self.id_numbers, mask_id),
            (self.names, mask_name),
            (self.employers, mask_employer),  # a journey's event records it masked
        ):
            for original, new in sorted(table.items()):
                out[original] = new
                if mask(original) != original:
                    out.setdefault(mask(original), mask(new))
        for table in (self.cards, self.phones):
            for original, new in sorted(table.items()):
                # The SMS texts' way (尾号3445, a Chinese sentence's 尾号 3445): what a mask
                # shows, so it follows the mask (a card's first, then a phone's).
                for gap in ("", " "):
                    out.setdefault(f"尾号{gap}{original[-4:]}", f"尾号{gap}{new[-4:]}")
        for original, new in sorted(self.phones.items()):
            # With the country's code before it, as a scenario or a sentence may write it.
            for prefix in ("+86", "0086", "86", "+86 ", "+86-"):
                out.setdefault(prefix + original, prefix + new)
        for original, new in sorted(self.id_numbers.items()):
            if original.endswith("X"):  # typed with a small x (a file named after it)
                out.setdefault(original[:-1] + "x", new[:-1] + "x" if new.endswith("X") else new)
        for loose, number in sorted(self._loose.items()):
            found = self.phones.get(number) or self.cards.get(number) or self.id_numbers.get(number)
            if found is not None:
                out.setdefault(loose, found)
        for table in (self.employers, self.addresses, self.authorities, self.others):
            out.update(table)
        for original, new in sorted(self.names.items()):
            for form in _spaced(original):  # 欧阳 娜娜
                out.setdefault(form, new)
        for original, new in sorted(self.addresses.items()):
            for form in _address_forms(original):  # 北京市 朝阳区 建国路 88号院
                out.setdefault(form, new)
        # A password's recorded stand-in is unmistakable wherever it is written; any other
        # secret (a PIN's six digits, a scenario's own text) is mapped under its keys only.
        out.update({old: new for (_kind, old), new in self.secrets.items() if is_stand_in(old)})
        return {k: v for k, v in out.items() if k and k != v}

    def text(self, text: str) -> str:
        """``text`` with every original, and every original's masked form, replaced."""
        if self.words and "--reason " in text:
            text = self._reasons(text)
        if "--set " in text:
            text = _PERSONAL_SET.sub(self._set_item, text)
        if self._pattern is None:
            return text
        # Found as if typed half-width: what is found is replaced where it stands, full-width
        # or not, and every other character is kept as it was typed.
        plain = text.translate(HALF_WIDTH)
        out: list[str] = []
        last = 0
        for found in self._pattern.finditer(plain):
            out += [text[last : found.start()], self._replacements[found.group(0)]]
            last = found.end()
        return "".join(out) + text[last:]

    def _set_item(self, found: re.Match[str]) -> str:
        """A ``--set`` of a personal answer in a report's command: its value as the other
        originals map it, or, where it is no original the ticket holds (a run that stopped
        before using it kept it masked alone), every character it still shows hidden."""
        value = found.group("value")
        if value in self._replacements or value in self._replacements.values():
            return found.group(0)
        return found.group("head") + re.sub(r"[^*\s]", "*", value)

    def _reasons(self, text: str) -> str:
        """A command's ``--reason`` (as written, or as a report masks the numbers in it),
        the whole argument, with the borrower's words left out; nowhere else: a short reason
        (``1``, ``R0001``) is also other text, and the start of a longer one."""
        for words, new in self.words.items():
            masked = mask_numbers(words)
            forms = (shlex.quote(words), shlex.quote(masked), mask_numbers(shlex.quote(words)))
            said = "--reason " + shlex.quote(new)
            for form in dict.fromkeys(forms):
                pattern = re.compile("--reason " + re.escape(form) + r"(?=\s|\Z)")
                text = pattern.sub(said.replace("\\", "\\\\"), text)
        return text

    def data(self, value: object) -> object:
        """Plain data with every text mapped; an inlined scenario (YAML in a string) is
        parsed, mapped and dumped again."""
        if isinstance(value, Mapping):
            mapped = {
                self.text(k) if isinstance(k, str) else k: self._value(k, v)
                for k, v in value.items()
            }
            words = value.get(_WORDS_KEY)
            if value.get("action") == _WORDS_ACTION and isinstance(words, str):
                mapped[_WORDS_KEY] = self.words.get(words, mapped[_WORDS_KEY])
            return mapped
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int) and not isinstance(value, bool):
            new = self._replacements.get(str(value))
            return int(new) if new is not None and new.isdigit() else value
        return value

    def mapping(self, value: Mapping[str, object]) -> dict[str, object]:
        """A mapping with text keys (a ticket), mapped as :meth:`data` maps one."""
        return {self.text(k): self._value(k, v) for k, v in value.items()}

    def fields(self, fields: Mapping[str, str]) -> dict[str, str]:
        """An ID image's fields (text), mapped as :meth:`data` maps them."""
        return {self.text(k): self._text(k, v) for k, v in fields.items()}

    def _value(self, key: object, value: object) -> object:
        if key in SECRET_KEYS:
            return self._secret(str(key), value)
        return self._text(key, value) if isinstance(value, str) else self.data(value)

    def _secret(self, key: str, value: object) -> object:
        return _secret_mapped(self.secrets, key, value, self.data)

    def _text(self, key: object, value: str) -> str:
        if key == "card" and value in self._card_ends:
            return self._card_ends[value]
        return self.scenario(value) if key == SCENARIO_TEXT else self.text(value)

    def scenario(self, text: str) -> str:
        import yaml

        try:
            data = read_yaml(text, typed=True)
        except (ValueError, yaml.YAMLError):
            return self.text(text)
        return yaml_text(self.data(data))


def redraw(data: bytes, stand_ins: StandIns) -> tuple[bytes, tuple[float, float] | None]:
    """An uploaded image drawn again from the stand-in identity, at its size, as blurry as it
    was, carrying a card's fields only if it did; with (old, new) blur score as the events
    record it. A file that is not an image comes back as it is, with None."""
    opened = _opened(data)
    if opened is None:
        return data, None
    check, raw = opened
    fields = fields_in_chunk(raw)
    metadata = stand_ins.fields(fields) if fields else None
    side = str((metadata or {}).get("side", "front"))
    printed = _printable(metadata)
    seed = _face_seed(metadata)
    blurry = check.blur_score < DEFAULT_LIMITS.blur_threshold
    size = (check.width, check.height)
    for radius in (BLUR_RADIUS, 2 * BLUR_RADIUS) if blurry else (0.0,):
        png, new = drawn_side(
            printed, side, metadata, face_seed=seed, blur_radius=radius, size=size
        )
        if new.problem == check.problem:
            break
    return png, (round(check.blur_score, 1), round(new.blur_score, 1))


# Finding the originals --------------------------------------------------------------------


def _leaves(value: object, keys: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str | int]]:
    """Every text or whole number in ``value`` with the keys that lead to it (list positions
    left out); an inlined scenario's YAML is read and walked from its own root."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == SCENARIO_TEXT and isinstance(v, str):
                parsed = _parsed_yaml(v)
                if parsed is not None:
                    yield from _leaves(parsed, ())
                    continue
            yield from _leaves(v, (*keys, str(k)))
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v, keys)
    elif isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        yield keys, value


def _parsed_yaml(text: str) -> object:
    import yaml

    try:
        return read_yaml(text, typed=True)
    except (ValueError, yaml.YAMLError):
        return None


def _classify(found: Originals, keys: tuple[str, ...], value: str | int) -> None:
    """File one value by its key; a text is also searched for numbers that look personal (a
    whole number only by its key: a seed is not a phone)."""
    key = keys[-1] if keys else ""
    parent = keys[-2] if len(keys) > 1 else ""
    text = str(value).strip()
    if key in SECRET_KEYS:
        found.secrets.setdefault((_secret_kind(key), str(value)))
        return
    if text and "*" not in text:  # a masked value was masked from an original found elsewhere
        tidy = _tidy_number(text)
        if key in PHONE_KEYS and _PHONE.fullmatch(_tidy_number(text, phone=True)):
            tidy = _tidy_number(text, phone=True)
            found.phones.add(tidy)
            _loose(found, text, tidy)
        elif key in CARD_KEYS or (key == "number" and parent in CARD_PARENTS):
            if tidy.isascii() and tidy.isdigit() and len(tidy) >= 12:
                found.cards.add(tidy)
                _loose(found, text, tidy)
        elif key in ID_KEYS or (key == "number" and parent in PERSON_PARENTS):
            _add_id(found, text)
        elif key == "login_id" and len(tidy) == 18:
            _add_id(found, text)
        elif key == "login_id" and _PHONE.fullmatch(_tidy_number(text, phone=True)):
            tidy = _tidy_number(text, phone=True)
            found.phones.add(tidy)
            _loose(found, text, tidy)
        elif not _wordy(text):
            pass  # replaced wherever its text is, "-" or "1" would be replaced everywhere
        elif key in NAME_KEYS or (key == "name" and parent in PERSON_PARENTS):
            found.names.add(text)
        elif key == "employer":
            found.employers.add(text)
        elif key == "address":
            found.addresses.add(text)
        elif key == "authority":
            found.authorities.add(text)
    if isinstance(value, str):
        found.phones.update(_PHONE.findall(value))
        found.phones.update(_PHONE_86.findall(value))
        _loose_in_text(found, value)
        if key == _WORDS_KEY and parent == "actions" and text:  # an action's own reason
            found.words.setdefault(str(value))
        ids = (n.upper() for n in _ID.findall(value))
        found.seen_ids.update(n for n in ids if _check_ok(n) and _date_ok(n))
        found.seen_cards.update(n for n in _UNIONPAY.findall(value) if luhn_ok(n))


def _wordy(text: str) -> bool:
    """Whether a name, an employer or an address says something of someone: two characters
    or more, a letter among them (a surname alone, ``-`` or ``1`` does not)."""
    return len(text) >= 2 and any(c.isalpha() for c in text)


def _loose_in_text(found: Originals, text: str) -> None:
    """Numbers written loosely in ``text``, each filed as the number it is, its text kept to
    be replaced (a file named ``王小明 155-7573-8225 front.png``)."""
    if not any(c in text for c in " ._-()"):
        return
    for match in _LOOSE_PHONE.finditer(text):
        number = "".join(match.groups()[1:])
        found.phones.add(number)
        _loose(found, match.group(0), number)
    for match in _LOOSE_ID.finditer(text):
        number = "".join(match.groups()).upper()
        if _check_ok(number) and _date_ok(number):
            found.id_numbers.add(number)
            _loose(found, match.group(0), number)
    for match in _LOOSE_CARD.finditer(text):
        number = re.sub(r"[ ._-]", "", match.group(1))
        if luhn_ok(number):
            found.cards.add(number)
            _loose(found, match.group(0), number)


def _add_id(found: Originals, text: str) -> None:
    """An ID number of 18 characters (whether or not it passes GB 11643); another length is
    an opaque number."""
    number = _tidy_number(text)
    if len(number) == 18 and number[:17].isascii() and number[:17].isdigit():
        found.id_numbers.add(number)
        _loose(found, text, number)
    elif any(c.isdigit() for c in number):
        found.others.add(text)


def _tidy_number(text: str, phone: bool = False) -> str:
    """A number as typed loosely (spaces, dashes, a small x; a ``phone`` with +86 before it)
    as the checks keep it; other text as it is."""
    compact = re.sub(r"[\s-]", "", text)
    mobile = _PHONE_86.fullmatch(compact) if phone else None
    if mobile is not None:
        return mobile.group(1)
    return compact.upper() if compact[:-1].isascii() and compact[:-1].isdigit() else text


def _loose(found: Originals, text: str, number: str) -> None:
    if text != number:
        found.loose[text] = number


def _check_ok(number: str) -> bool:
    return check_char(number[:17]) == number[17]


def _date_ok(number: str) -> bool:
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def _text_originals(originals: Originals) -> set[str]:
    """Texts a text stand-in must not contain: a name, an employer, an address."""
    return {t for t in (*originals.names, *originals.employers, *originals.addresses) if t}


# Drawing the stand-ins ---------------------------------------------------------------------


def kept_secrets_rekeyed(
    ticket: Mapping[str, object], files: Mapping[str, bytes]
) -> dict[str, object]:
    """A ticket that keeps its personal data, each secret's recorded stand-in replaced as a
    pseudonymised bundle replaces it (the rest as it is, an inlined scenario's text too unless
    it holds a secret)."""
    found = Originals()
    for keys, value in _leaves(ticket, ()):
        if keys and keys[-1] in SECRET_KEYS:
            found.secrets.setdefault((_secret_kind(keys[-1]), str(value)))
    table = _secrets(list(found.secrets), bundle_salt(ticket, files))

    def secret(key: str, value: object) -> object:
        return _secret_mapped(table, key, value, rekeyed)

    def scenario(text: str, parsed: object) -> object:
        mapped = rekeyed(parsed)
        return text if parsed is None or mapped == parsed else yaml_text(mapped)

    def rekeyed(value: object) -> object:
        return _with_secrets(value, secret, scenario)

    return dict(ticket) if not table else cast("dict[str, object]", rekeyed(ticket))


def _secret_mapped(
    table: Mapping[tuple[str, str], str],
    key: str,
    value: object,
    otherwise: Callable[[object], object],
) -> object:
    """A secret's stand-in from ``table`` (or each of a list's); what is no secret's text,
    ``otherwise`` maps."""
    if isinstance(value, list):
        return [_secret_mapped(table, key, v, otherwise) for v in value]
    if isinstance(value, bool) or not isinstance(value, str | int):
        return otherwise(value)
    new = table.get((_secret_kind(key), str(value)))
    return otherwise(value) if new is None else new


def _secret_kind(key: str) -> str:
    return "pin" if key in PIN_KEYS else "password"


def _secrets(originals: list[tuple[str, str]], salt: bytes) -> dict[tuple[str, str], str]:
    """Each secret as a stand-in of its kind drawn from the bundle's salt and the order the
    secrets first appear in, never from the secret: a bundle says which answers were the same
    secret and nothing more. (What a run recorded is a function of the secret alone, so a
    table of every 6-digit transaction password's would read one back; and the salt leaves
    the secrets out, so knowing the rest of a ticket does not help either.)"""
    out: dict[tuple[str, str], str] = {}
    used = {old for _kind, old in originals}  # none is given a value a run recorded
    for index, (kind, old) in enumerate(originals):

        def draw(n: int, kind: str = kind, index: int = index) -> str:
            label = "\x1f".join(("secret", kind, str(index), str(n))).encode()
            return shaped(hmac.digest(salt, label, "sha256")[:16], kind)

        new = _first(draw, lambda candidate: candidate not in used, N_("secret"))
        used.add(new)
        out[(kind, old)] = new
    return out


def _rng(salt: bytes, *labels: object) -> Rng:
    """A random stream keyed with the salt, one per purpose and original."""
    material = "\x1f".join(str(label) for label in labels).encode()
    key = hmac.new(salt, material, hashlib.sha256).digest()
    return Rng(int.from_bytes(key, "big"), "pseudonym")


def _first(draw: Callable[[int], str], ok: Callable[[str], bool], what: str) -> str:
    """The first of ``draw(0)``, ``draw(1)``... that is ``ok``."""
    for attempt in range(_TRIES):
        candidate = draw(attempt)
        if ok(candidate):
            return candidate
    raise RuleError(
        BUNDLE,
        _("no stand-in found for a {what}; make the bundle with the personal data kept").format(
            what=_(what)
        ),
    )


def _phones(originals: list[str], salt: bytes) -> dict[str, str]:
    """Same first 3 digits; the last 4 (what a mask shows) a function of the masked original,
    the middle 4 of the whole number."""
    shown = {mask_phone(p) for p in originals}
    ends: dict[str, str] = {}
    used: set[str] = set(originals)
    out: dict[str, str] = {}
    for phone in originals:
        masked = mask_phone(phone)

        def end(n: int, masked: str = masked) -> str:
            return masked[:3] + "****" + _rng(salt, "phone-end", masked, n).digits(4)

        def whole(n: int, phone: str = phone, masked: str = masked) -> str:
            return phone[:3] + _rng(salt, "phone", phone, n).digits(4) + ends[masked]

        if masked not in ends:
            ends[masked] = _first(
                end, lambda c: c not in shown and c[-4:] not in ends.values(), N_("phone")
            )[-4:]
        out[phone] = _first(whole, lambda c: c not in used, N_("phone"))
        used.add(out[phone])
    return out


def _cards(originals: list[str], salt: bytes) -> dict[str, str]:
    """Same bank (first 6 digits) and length; the last 4 a function of the masked original;
    the middle drawn, one digit of it setting Luhn as the original had it."""
    shown = {c[-4:] for c in originals}
    ends: dict[str, str] = {}
    used: set[str] = set(originals)
    out: dict[str, str] = {}
    for card in originals:

        def end(n: int, card: str = card) -> str:
            return _rng(salt, "card-end", card[-4:], n).digits(4)

        def whole(n: int, card: str = card) -> str:
            return _card_number(card, ends[card[-4:]], _rng(salt, "card", card, n))

        if card[-4:] not in ends:
            ends[card[-4:]] = _first(
                end, lambda c: c not in shown and c not in ends.values(), N_("card number")
            )
        out[card] = _first(whole, lambda c: c not in used, N_("card number"))
        used.add(out[card])
    return out


def _card_number(original: str, end: str, rng: Rng) -> str:
    middle = len(original) - 10
    digits = list(original[:6] + rng.digits(middle) + end)
    # The digit just before the last 4 is the 5th from the right: Luhn does not double it,
    # so each of its 10 values gives another remainder.
    at = len(digits) - 5
    for value in "0123456789":
        digits[at] = value
        if luhn_ok("".join(digits)) == luhn_ok(original):
            break
    return "".join(digits)


def _areas(originals: Originals, salt: bytes) -> dict[str, str]:
    """For each original area code (of an ID number or an address), another real one of the
    same province (its district and issuing authority are printed on the card drawn again),
    the original only where the tables know no other there; else one of anywhere."""
    codes = {n[:6] for n in originals.id_numbers}
    codes |= {a for a in map(area_for_address, originals.addresses) if a}
    known = sorted(address_prefixes())
    out: dict[str, str] = {}
    for code in sorted(codes):
        same_province = [k for k in known if k[:2] == code[:2] and k != code]
        others = same_province or [k for k in known if k[:2] == code[:2]] or known
        out[code] = _rng(salt, "area", code).choice(others)
    return out


def _id_numbers(originals: list[str], salt: bytes, areas: Mapping[str, str]) -> dict[str, str]:
    """The area's stand-in, the same birth date digits and sex digit, a drawn sequence, and
    a check character that is right exactly when the original's was."""
    shown = {mask_id(n) for n in originals}
    used: set[str] = set(originals)
    out: dict[str, str] = {}
    for number in originals:
        rng = _rng(salt, "id", number)
        valid = _check_ok(number)

        def draw(_attempt: int, number: str = number, rng: Rng = rng, valid: bool = valid) -> str:
            first17 = f"{areas[number[:6]]}{number[6:14]}{rng.digits(2)}{number[16]}"
            check = check_char(first17)
            if not valid:
                check = CHECK_CHARS[(CHECK_CHARS.index(check) + 1) % len(CHECK_CHARS)]
            return first17 + check

        out[number] = _first(
            draw, lambda c: c not in used and mask_id(c) not in shown, N_("ID number")
        )
        used.add(out[number])
    return out


def _names(originals: list[str], salt: bytes, avoid: set[str]) -> dict[str, str]:
    """A surname (the masked form's first character) for each original one, none of the
    originals'; given-name characters drawn; the same length."""
    surnames: dict[str, str] = {}
    theirs = {n[0] for n in originals}
    out: dict[str, str] = {}
    used = set(originals)
    for name in originals:
        if name[0] not in surnames:
            free = [c for c in _SURNAMES if c not in theirs and c not in surnames.values()]
            surnames[name[0]] = _rng(salt, "surname", name[0]).choice(free or list(_GIVEN))

        def draw(n: int, name: str = name) -> str:
            rng = _rng(salt, "name", name, n)
            return surnames[name[0]] + "".join(rng.choice(list(_GIVEN)) for _ in name[1:])

        out[name] = _first(draw, lambda c: c not in used and _clean(c, avoid), N_("name"))
        used.add(out[name])
    return out


def _employers(originals: list[str], salt: bytes, avoid: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for employer in originals:

        def draw(n: int, employer: str = employer) -> str:
            rng = _rng(salt, "employer", employer, n)
            given = "".join(rng.choice(list(_GIVEN)) for _ in range(2))
            return f"{rng.choice(list(_FIRMS))}{given}{rng.choice(list(_TRADES))}有限公司"

        out[employer] = _first(
            draw, lambda c: c not in out.values() and _clean(c, avoid), N_("employer")
        )
    return out


def _places(
    originals: Originals, salt: bytes, stand_ins: StandIns, avoid: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Addresses and issuing authorities in the area of the stand-in ID number printed with
    them (else of the area they name)."""
    prefixes = address_prefixes()
    printed_with = dict(reversed(originals.places))  # the first card a text was seen on

    def area_of(text: str) -> str:
        number = printed_with.get(text, "")
        if number in stand_ins.id_numbers:
            return stand_ins.id_numbers[number][:6]
        named = area_for_address(text)
        if named in stand_ins.areas:
            return stand_ins.areas[named]
        return _rng(salt, "place", text).choice(sorted(prefixes))

    addresses: dict[str, str] = {}
    for address in sorted(originals.addresses):
        area = area_of(address)

        def draw(n: int, address: str = address, area: str = area) -> str:
            rng = _rng(salt, "address", address, n)
            return f"{prefixes[area]}{rng.choice(list(_STREETS))}{rng.randint(1, 199)}号"

        def fits(candidate: str, area: str = area) -> bool:
            return (
                area_for_address(candidate) == area
                and candidate not in addresses.values()
                and _clean(candidate, avoid)
            )

        addresses[address] = _first(draw, fits, N_("address"))
    authorities = {a: issuing_authority(area_of(a)) or a for a in sorted(originals.authorities)}
    return addresses, authorities


def _clean(candidate: str, avoid: set[str]) -> bool:
    """No original text inside a stand-in (a name inside a drawn address)."""
    return not any(original in candidate for original in avoid)


def _digits_replaced(text: str, rng: Rng) -> str:
    return "".join(rng.digits(1) if c.isascii() and c.isdigit() else c for c in text)


def _spaced(name: str) -> list[str]:
    """A name as typed with a space between some of its characters (欧阳 娜娜, 王 小 明)."""
    if not 2 <= len(name) <= 5 or " " in name:
        return []
    forms = []
    for gaps in range(1, 2 ** (len(name) - 1)):
        chars = [name[0]]
        for n, char in enumerate(name[1:]):
            chars.append(" " + char if gaps >> n & 1 else char)
        forms.append("".join(chars))
    return forms


# Where an address's parts end: a province, city, district, county, town, road, street,
# number, compound, building, unit or flat.
_ADDRESS_PART = re.compile(r"(?<=[省市区县镇乡路街道巷号院楼元室])")


def _address_forms(address: str) -> list[str]:
    """An address as free text may write it: with spaces between its parts, or only its
    first parts down to the street (送北京市朝阳区建国路88号院, without the flat); never less
    than a street, which the district alone is not."""
    parts = [part for part in _ADDRESS_PART.split(address) if part]
    forms = []
    for n in range(3, len(parts) + 1):
        head = parts[:n]
        if len("".join(head)) >= ADDRESS_SHOWN + 2:
            forms += ["".join(head), " ".join(head)]
    return [form for form in dict.fromkeys(forms) if form != address]


def _pattern(replacements: Mapping[str, str]) -> re.Pattern[str] | None:
    """One expression for every original: numbers (and their masks) not inside a longer
    number, masked names not inside a longer mask, other text anywhere; longest first."""
    numeric, masked, text = [], [], []
    for original in sorted(replacements, key=lambda t: (-len(t), t)):
        if all(c in "0123456789X* " for c in original):
            numeric.append(re.escape(original))
        elif original.endswith("*"):
            masked.append(re.escape(original))
        else:
            text.append(re.escape(original))
    parts = []
    if numeric:
        parts.append(r"(?<![0-9*])(?:" + "|".join(numeric) + r")(?![0-9*])")
    if masked:
        parts.append(r"(?:" + "|".join(masked) + r")(?!\*)")
    if text:
        parts.append(r"(?:" + "|".join(text) + ")")
    return re.compile("|".join(parts)) if parts else None


# Images and reports --------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _opened(data: bytes) -> tuple[ImageCheck, object] | None:
    """The measured image and its fields chunk, or None for what is not an image an upload
    takes (unreadable, or more pixels than an ID photo may have). The last few are kept: a
    bundle opens each photo to find it, to draw it again and to mask it in the report."""
    from PIL import Image

    try:
        with open_photo(io.BytesIO(data)) as image:
            if image.width * image.height > DEFAULT_LIMITS.max_pixels:
                return None
            image.load()
            return measure(image), image.info.get(METADATA_KEY)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def _card_fields(data: bytes) -> dict[str, str] | None:
    """The fields an image's chunk carries, from its header alone."""
    from PIL import Image

    try:
        with open_photo(io.BytesIO(data)) as image:
            return fields_in_chunk(image.info.get(METADATA_KEY))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def _printable(fields: Mapping[str, str] | None) -> IdCardFields | None:
    """What to print on the card the fields describe; None when they do not make a card
    (the card is then drawn with nothing printed, the fields still in its chunk)."""
    if not fields:
        return None
    try:
        if fields.get("side") == "back":
            start, end = parse_validity(str(fields["validity"]))
            return IdCardFields(
                name="",
                sex="male",
                ethnicity="",
                birth_date=start,
                address="",
                number=str(fields.get("number", "")),
                authority=str(fields.get("authority", "")),
                valid_from=start,
                valid_until=end,
            )
        return IdCardFields(
            name=str(fields["name"]),
            sex=str(fields["sex"]),
            ethnicity=str(fields.get("ethnicity", "")),
            birth_date=date.fromisoformat(str(fields["birth_date"])),
            address=str(fields.get("address", "")),
            number=str(fields["number"]),
            authority="",
            valid_from=date.fromisoformat(str(fields["birth_date"])),
            valid_until=None,
        )
    except (KeyError, ValueError):
        return None


def _face_seed(fields: Mapping[str, str] | None) -> int:
    """The portrait's seed from the face the card enrolls (``face-7``), so it looks the same."""
    face = str((fields or {}).get("face_id", ""))
    number = face.removeprefix("face-")
    return int(number) if number.isascii() and number.isdigit() and len(number) < 10 else 0


def _member(name: str, data: bytes, stand_ins: StandIns) -> bytes:
    """A report or other text member, mapped; JSON as JSON (and written as the bundle
    writes it), anything not UTF-8 left as it is."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    if name.endswith(".json"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return stand_ins.text(text).encode()
        return _json_bytes(stand_ins.data(parsed))
    return stand_ins.text(text).encode()


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()


def _rescored(value: object, scores: Mapping[tuple[str, float], float]) -> object:
    """Events (and rows) about a redrawn image carry its new blur score."""
    if not scores:
        return value
    if isinstance(value, dict):
        return _rescored_mapping(value, scores)
    if isinstance(value, list):
        return [_rescored(v, scores) for v in value]
    return value


def _rescored_mapping(
    value: Mapping[str, object], scores: Mapping[tuple[str, float], float]
) -> dict[str, object]:
    out = {k: _rescored(v, scores) for k, v in value.items()}
    score, file = out.get("blur_score"), out.get("file")
    if scores and isinstance(score, int | float) and isinstance(file, str):
        new = scores.get((file, round(float(score), 1)))
        if new is not None:
            out["blur_score"] = new
    return out


def _json_rescored(data: bytes, scores: Mapping[tuple[str, float], float]) -> bytes:
    if not scores:
        return data
    try:
        return _json_bytes(_rescored(json.loads(data), scores))
    except ValueError:
        return data


def _markdown_rescored(data: bytes, scores: Mapping[tuple[str, float], float]) -> bytes:
    """A report's timeline lines (``blur_score=1290.3 file=front.png``), rescored."""
    if not scores:
        return data
    lines = data.decode("utf-8").split("\n")
    for i, line in enumerate(lines):
        for (file, old), new in scores.items():
            if f"file={file}" in line:
                lines[i] = re.sub(
                    rf"blur_score={re.escape(str(old))}(?![0-9])", f"blur_score={new}", lines[i]
                )
    return "\n".join(lines).encode()


def _marked(ticket: Mapping[str, object], mode: str) -> dict[str, object]:
    """The ticket saying which kind of bundle it is, after its loancli version."""
    out: dict[str, object] = {}
    for key, value in ticket.items():
        if key != PERSONAL_DATA:
            out[key] = value
        if key == "loancli":
            out[PERSONAL_DATA] = mode
    out.setdefault(PERSONAL_DATA, mode)
    return out


def masked_image(data: bytes, opened: tuple[ImageCheck, object] | None = None) -> bytes | None:
    """An uploaded ID image as a report shows it: the card drawn again as :func:`redraw`
    draws it (its size, as blurry as it was, the same portrait), with what it prints masked
    as every output masks it (name, ID number, the address past its district) and no fields
    chunk; None for what carries no card's fields (a photo loancli cannot mask). ``opened``:
    its measure and fields chunk, when the caller has decoded it already."""
    if opened is None:
        opened = _opened(data)
    if opened is None:
        return None
    check, raw = opened
    fields = fields_in_chunk(raw)
    if not fields:
        return None
    shown = dict(fields)
    for key, mask in (("name", mask_name), ("number", mask_id)):
        if isinstance(shown.get(key), str):
            shown[key] = mask(shown[key])
    if isinstance(shown.get("address"), str) and len(shown["address"]) > 6:
        shown["address"] = shown["address"][:6] + "****"
    printed = _printable(shown)
    blurry = check.blur_score < DEFAULT_LIMITS.blur_threshold
    return side_png(
        printed,
        str(shown.get("side", "front")),
        None,
        face_seed=_face_seed(shown),
        blur_radius=BLUR_RADIUS if blurry else 0.0,
        size=(check.width, check.height),
        with_font=False,
    )


def answers_print(ticket: object, images: Iterable[bytes]) -> bool:
    """Whether a value of ``ticket`` is an ID number one of ``images`` prints (an answer a
    login by ID number or an unlock gave): its stand-in then needs the image drawn again."""
    printed = {fields.get("number") for data in images if (fields := _card_fields(data))}
    numbers = [number for number in printed if number]
    return any(
        isinstance(value, str) and any(number in value for number in numbers)
        for _keys, value in _leaves(ticket, ())
    )
