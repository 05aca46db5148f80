"""One validation engine for every document loancli reads: the state file's records, scenario
files, the products file.

:func:`read_document` reads ``data`` (parsed JSON or YAML) as the declared type ``kind``: a
dataclass (scenario settings, account presets, product settings), a ``TypedDict`` (records),
``list``/``dict``/``X | None`` of them, and scalars. A field says its form in its type, with
``Annotated`` rules where the type is not enough: ``Annotated[int, Range(4, 8)]``,
``Annotated[str, OneOf(...)]``, ``Annotated[str, Check(check_mobile)]`` (``validation.py``),
and the engine's own :class:`Read`, :class:`Expected`, :class:`Unknown` below.

msgspec does the conversion. A type msgspec checks entirely (a record: constraints as
``msgspec.Meta``, each :class:`Form` replaced by what it parses to) is converted in one pass,
the fast path, and only a document that fails it is walked. Otherwise the engine walks the
declared fields (``msgspec.inspect`` says which are required), converts each value on its
own with msgspec, and COLLECTS every problem: an unknown key (with a did-you-mean), a missing
one, a value of the wrong kind or out of its rules, each at its key path
(``providers.sms.code_length``) and in the user's language. :class:`DocumentInvalid` holds
them all.

Values people write are read as written (``written=True``, the default): text may be a whole
number (``phone: 13800138000``) but holds no control characters, a duration is ``6m``, an
amount is ``8000.50``, a class with a ``from_document`` class method (a fault) reads its own
form. Records (``written=False``) are JSON as loancli wrote it: each value of its exact kind.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import operator
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import (
    Annotated,
    Any,
    Literal,
    NamedTuple,
    NotRequired,
    Required,
    TypedDict,
    TypeVar,
    Union,
    get_args,
    get_origin,
    is_typeddict,
)

import msgspec

from loancli.clock import parse_duration
from loancli.errors import kind_of, quoted
from loancli.i18n import N_, _
from loancli.validation import (
    MAX_MONEY,
    NOT_UTF8,
    Check,
    OneOf,
    Range,
    check_money,
    has_control,
    has_surrogate,
)

T = TypeVar("T")


class Problem(NamedTuple):
    """One thing wrong in a document: where (a key path such as ``accounts[0].phone``; empty
    for the document itself) and what, in the user's language."""

    path: str
    message: str


class DocumentInvalid(ValueError):
    """Every problem a document has, found in one reading. A :class:`Read` or :class:`Check`
    function may raise it too, with paths below the value it reads."""

    def __init__(self, where: str, problems: list[Problem]) -> None:
        self.where = where
        self.problems = problems
        lines = (f"{p.path}: {p.message}" if p.path else p.message for p in problems)
        super().__init__("\n".join(f"{where}: {line}" if where else line for line in lines))


# -- the engine's own rules -------------------------------------------------------------------


class Read(msgspec.Struct, frozen=True):
    """Read the value as written with ``read`` instead of by its type: ``clock:
    Annotated[datetime, Read(read_clock)]``. ``read`` returns the value or raises
    ``ValueError`` (one problem here) or :class:`DocumentInvalid` (problems below here)."""

    read: Callable[[object], object]


class Expected(msgspec.Struct, frozen=True):
    """What to say, whatever is wrong at or below this value: ``Expected(N_("give a list of
    whole months, e.g. [3, 6, 12]"))``; ``values`` fill the message's fields."""

    message: str
    values: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        text = _(self.message)
        return text.format(**dict(self.values)) if self.values else text


class Unknown(msgspec.Struct, frozen=True):
    """What an unknown key of this mapping is told: ``{known}`` is the keys it may have,
    ``{name}`` the mapping's own key (``unknown setting; {name} has {known}``)."""

    message: str


class Form(msgspec.Struct, frozen=True):
    """A value whose JSON type stays as written, but which must parse as ``parse`` (``date``:
    a real date), fit msgspec ``constraints`` (a pattern, a bound), or, for an ``amount``, read
    as a number of 0 or more. ``what`` says the form in words. The fast path checks the parsed
    form in one msgspec pass (the amounts in a second, lax one)."""

    what: str
    parse: Any = None
    amount: bool = False
    meta: msgspec.Meta | None = None

    def check(self, value: object, base: Any) -> object:
        """``value`` (of the JSON type ``base``) when it has this form; else ``ValueError``."""
        try:
            msgspec.convert(value, _strict(Annotated[base, self]))
            if self.amount:
                msgspec.convert(value, _AMOUNT, strict=False)
        except msgspec.ValidationError:
            raise ValueError(
                _("{value} is not {what}").format(value=quoted(value), what=_(self.what))
            ) from None
        return value


def form(what: str, parse: Any = None, amount: bool = False, **constraints: Any) -> Form:
    return Form(what, parse, amount, msgspec.Meta(**constraints) if constraints else None)


# Text an amount is read from, as a number (a regular expression on each of the many amounts of
# a large file costs several times more): 0 or more, and finite.
_AMOUNT = Annotated[float, msgspec.Meta(ge=0, le=1e15)]

Rule = Range[Any] | OneOf | Check | Read | Expected | Unknown | Form
_RULES = (Range, OneOf, Check, Read, Expected, Unknown, Form)


# -- reading ----------------------------------------------------------------------------------


def read_document(
    data: object, kind: Any, where: str = "", *, path: str = "", written: bool = True
) -> Any:
    """``data`` as the declared type ``kind``, or :class:`DocumentInvalid` listing every
    problem (each at its key path under ``path``; ``where`` names the document)."""
    fast = None if written else _fast(kind)
    if fast is not None:
        try:
            converted = msgspec.convert(data, fast[0])
            if fast[1] is not Any:
                msgspec.convert(data, fast[1], strict=False)
        except msgspec.ValidationError as exc:
            failed: msgspec.ValidationError | None = exc
        else:
            return converted if fast[0] is kind else data
    else:
        failed = None
    walker = _Walker(written)
    value = walker.read(data, kind, path)
    if failed is not None and not walker.found:
        # The walk found nothing the fast pass refused: say msgspec's own words.
        walker.found.append(_from_msgspec(failed, path))
    if walker.found:
        raise DocumentInvalid(where, walker.found)
    return value


def join(path: str, key: object) -> str:
    """A key path one key further: ``providers`` + ``sms`` is ``providers.sms``."""
    if not path:
        return str(key)
    return f"{path}{key}" if str(key).startswith("[") else f"{path}.{key}"


class _Wrong(Exception):
    """A problem at the value being read (collected by its walker)."""


_BAD: Any = object()


class _Walker:
    def __init__(self, written: bool) -> None:
        self.written = written
        self.found: list[Problem] = []

    @contextmanager
    def collect(self, path: str) -> Iterator[None]:
        try:
            yield
        except (ValueError, _Wrong) as exc:
            if isinstance(exc, DocumentInvalid):
                self.found += [
                    Problem(join(path, p.path) if p.path else path, p.message) for p in exc.problems
                ]
            else:
                self.found.append(Problem(path, str(exc)))

    def read(self, value: object, hint: Any, path: str) -> Any:
        """``value`` as ``hint`` says; :data:`_BAD` (the problems collected) when it is not."""
        base, rules = _unwrap(hint)
        expected = next((r for r in rules if isinstance(r, Expected)), None)
        before = len(self.found)
        out = _BAD
        with self.collect(path):
            out = self._read(value, base, rules, path)
        if expected is not None and len(self.found) > before:
            del self.found[before:]
            self.found.append(Problem(path, expected.text()))
            return _BAD
        return out

    def _read(self, value: object, base: Any, rules: list[Rule], path: str) -> Any:
        reader = next((r for r in rules if isinstance(r, Read)), None)
        if reader is not None:
            return self._rules(reader.read(value), rules)
        shape = next((r for r in rules if isinstance(r, Form)), None)
        if shape is not None:
            return shape.check(value, base)
        origin = get_origin(base)
        if origin in (Union, types.UnionType):
            args = get_args(base)
            if value is None and type(None) in args:
                return None
            rest = [a for a in args if a is not type(None)]
            if len(rest) == 1:
                return self._rules(self.read(value, rest[0], path), rules)
        elif origin in (list, tuple):
            return self._rules(self._list(value, base, path), rules)
        elif origin is dict:
            return self._rules(self._dict(value, base, path), rules)
        elif _is_mapping_type(base) and not (self.written and hasattr(base, "from_document")):
            return self._mapping(value, base, rules, path)
        return self._rules(self._scalar(value, base), rules)

    def _rules(self, value: object, rules: list[Rule]) -> object:
        if value is _BAD:
            return value
        for rule in rules:
            if isinstance(rule, Check):
                value = rule.check(value)
            elif isinstance(rule, Range | OneOf):
                problem = rule.problem(value)
                if problem:
                    raise _Wrong(problem)
        return value

    def _list(self, value: object, kind: Any, path: str) -> Any:
        item = get_args(kind)[0]
        if not isinstance(value, list):
            example = _EXAMPLES.get(_unwrap(item)[0])
            if example:
                raise _Wrong(_("expected a list, e.g. [{value0}]").format(value0=example))
            raise _Wrong(_("expected a list, not {kind}").format(kind=kind_of(value)))
        before = len(self.found)
        out = [self.read(one, item, join(path, f"[{i}]")) for i, one in enumerate(value)]
        if len(self.found) > before:
            return _BAD
        return tuple(out) if get_origin(kind) is tuple else out

    def _dict(self, value: object, kind: Any, path: str) -> Any:
        key_kind, item = get_args(kind)
        if not isinstance(value, dict):
            raise _Wrong(_("expected a mapping, not {kind}").format(kind=kind_of(value)))
        before = len(self.found)
        out = {}
        for key, one in value.items():
            where = join(path, key)
            converted = self.read(key, key_kind, where)
            out[converted] = self.read(one, item, where)
        return _BAD if len(self.found) > before else out

    def _mapping(self, value: object, kind: Any, rules: list[Rule], path: str) -> Any:
        """A dataclass (unknown keys refused) or a TypedDict (other keys kept as they are)."""
        hints, fields, required = _fields(kind)
        if not isinstance(value, dict):
            keys = ", ".join(required or fields)
            raise _Wrong(_("expected a mapping with {keys}").format(keys=keys))
        strict = dataclasses.is_dataclass(kind)
        before = len(self.found)
        out: dict[Any, object] = {}
        for key, one in value.items():
            where = join(path, key)
            if key not in fields:
                if strict:
                    self.found.append(Problem(where, unknown_key(key, list(fields), rules, path)))
                else:
                    out[key] = one
                continue
            converted = self.read(one, hints[key], where)
            if converted is not None:
                out[key] = converted
        missing = [name for name in required if name not in value]
        if missing and not self.written:
            # A record: each missing field at its own path.
            self.found += [Problem(join(path, name), _("missing")) for name in missing]
        elif missing:
            self.found.append(
                Problem(
                    path,
                    _("expected {keys}; missing {missing}").format(
                        keys=", ".join(required), missing=", ".join(missing)
                    ),
                )
            )
        if len(self.found) > before:
            return _BAD
        return kind(**out) if strict else out

    def _scalar(self, value: object, kind: Any) -> object:
        if kind is Any or kind is object:
            return value
        if self.written:
            reader = _WRITTEN.get(kind) or getattr(kind, "from_document", None)
            if reader is not None:
                return reader(value)
        try:
            converted = msgspec.convert(value, kind)
        except msgspec.ValidationError as exc:
            raise _Wrong(_explain(str(exc), kind, value)) from None
        if isinstance(converted, float) and not math.isfinite(converted):
            raise _Wrong(_("{value!r} is not a finite number").format(value=value))
        return converted


@functools.cache
def _fields(kind: Any) -> tuple[dict[str, Any], list[str], list[str]]:
    """A dataclass's or TypedDict's declared hints (rules included), its field names, and
    those it requires (as msgspec sees them)."""
    info = msgspec.inspect.type_info(kind)
    assert isinstance(info, msgspec.inspect.DataclassType | msgspec.inspect.TypedDictType)
    hints = typing.get_type_hints(kind, include_extras=True)
    return hints, [f.name for f in info.fields], [f.name for f in info.fields if f.required]


def _is_mapping_type(kind: Any) -> bool:
    return isinstance(kind, type) and (dataclasses.is_dataclass(kind) or is_typeddict(kind))


def unknown_key(key: object, known: list[str], rules: list[Rule], path: str) -> str:
    """What an unknown key is told: the keys there are, and the nearest of them."""
    rule = next((r for r in rules if isinstance(r, Unknown)), None)
    name = path.rsplit(".", 1)[-1]
    template = rule.message if rule else N_("unknown key; expected {known}")
    message = _(template).format(known=", ".join(known), name=name)
    near = difflib.get_close_matches(str(key), known, n=1)
    if near:
        message += _("; did you mean {name}?").format(name=near[0])
    return message


def _unwrap(hint: Any) -> tuple[Any, list[Rule]]:
    """``Annotated[int, Range(4, 8)]`` -> (int, [Range(4, 8)]), under ``NotRequired``."""
    while get_origin(hint) in (NotRequired, Required):
        hint = get_args(hint)[0]
    if get_origin(hint) is Annotated:
        base, *extras = get_args(hint)
        return base, [e for e in extras if isinstance(e, _RULES)]
    return hint, []


# -- scalars as written -----------------------------------------------------------------------


def read_text(value: object) -> str:
    """Text as written (a whole number as its digits: ``phone: 13800138000``), without control
    characters, which would reach every terminal and report that shows it."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        if isinstance(value, float):
            raise ValueError(
                _("expected text, not the number {value!r}; put it in quotes").format(value=value)
            )
        raise ValueError(_("expected text, not {kind}").format(kind=kind_of(value)))
    text = str(value)
    if has_surrogate(text):
        raise ValueError(_(NOT_UTF8))
    if has_control(text):
        raise ValueError(_("control characters (such as escape codes) are not allowed"))
    return text


def _read_amount(value: object) -> Decimal:
    # YAML reads 1.0e+400 as infinity and 20_000 as 20000: both are refused or kept as the
    # number they are; an amount has at most two decimal places.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(
            _("expected an amount such as 20000, not {kind}").format(kind=kind_of(value))
        )
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(
            _("{value!r} is not a number; expected an amount such as 20000").format(value=value)
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            _("{value!r} is too large; expected an amount such as 20000").format(value=value)
        )
    return check_money(repr(value) if isinstance(value, float) else value, minimum=-MAX_MONEY)


# The most decimal places a percentage setting takes (a contract APR of 10.8957%).
PERCENT_PLACES = 4
CENTS = Decimal("0.01")


def read_percent(value: object) -> Decimal:
    """A percentage as written (``apr: 10.8957``): a number of 0 or more with at most four
    decimal places, kept exactly; use as ``Annotated[Decimal, Read(read_percent), Range(...)]``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(
            _("expected a percentage such as 18 or 10.8957, not {kind}").format(kind=kind_of(value))
        )
    text = repr(value) if isinstance(value, float) else str(value).strip().removesuffix("%")
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise ValueError(
            _("{value} is not a percentage; write e.g. 18 or 10.8957").format(value=quoted(value))
        ) from None
    if not number.is_finite():
        raise ValueError(_("{value} is not a finite number").format(value=quoted(value)))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PERCENT_PLACES:
        raise ValueError(_("a percentage has at most four decimal places"))
    # At least two places, as amounts are written (18 -> 18.00).
    return number if isinstance(exponent, int) and exponent < -2 else number.quantize(CENTS)


def _read_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(read_text(value))
    except ValueError:
        raise ValueError(_("expected a date, YYYY-MM-DD")) from None


_WRITTEN: dict[object, Callable[[object], object]] = {
    str: read_text,
    timedelta: parse_duration,
    date: _read_date,
    Decimal: _read_amount,
}
_NOT_JSON = (timedelta, date, datetime, Decimal)
_EXAMPLES: dict[object, str] = {str: "a, b", int: "1, 2", float: "0.5, 0.9"}

# What msgspec names a kind in its messages, as our messages name what a value should be.
_WANTED = {
    "array": N_("a list"),
    "object": N_("a mapping"),
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number such as 0.8"),
    "bool": N_("true or false"),
    "null": N_("nothing (null)"),
}


def _explain(message: str, kind: Any, value: object) -> str:
    """msgspec's English message about ``value`` as ours."""
    message = message.split(" - at `", 1)[0]
    if message.startswith("Invalid enum value") and get_origin(kind) is Literal:
        return _("{value!r} is not one of {choices}").format(
            value=value, choices=", ".join(map(str, get_args(kind)))
        )
    if message.startswith("Expected `"):
        want = message.split("`")[1]
        if want in _WANTED:
            return _("expected {want}, not {kind}").format(
                want=_(_WANTED[want]), kind=kind_of(value)
            )
    message = message.replace("`", "")
    return message[0].lower() + message[1:]


def _from_msgspec(exc: msgspec.ValidationError, path: str) -> Problem:
    text = str(exc)
    at = ""
    if " - at `$" in text:
        text, at = text.split(" - at `$", 1)
        at = at.rstrip("`").lstrip(".")
    return Problem(join(path, at) if at else path, _explain(text, Any, None))


# -- the fast path: one msgspec pass over a type it checks entirely ---------------------------


class _NotFast(Exception):
    pass


@functools.cache
def _fast(kind: Any) -> tuple[Any, Any] | None:
    """(the type msgspec checks ``kind`` as, the type its amounts are checked as, laxly), or
    None when ``kind`` holds a rule or a form as written that msgspec cannot check (a
    scenario's settings: every such document is walked)."""
    try:
        return _strict(kind), _amounts(kind)
    except _NotFast:
        return None


def _strict(kind: Any) -> Any:
    """``kind`` as msgspec checks it: each :class:`Form` replaced by what it parses to, or by
    its constraints, each TypedDict by its derived TypedDict."""
    origin = get_origin(kind)
    if origin is Annotated:
        base, *extras = get_args(kind)
        if any(isinstance(e, _RULES) and not isinstance(e, Form) for e in extras):
            raise _NotFast
        forms = [e for e in extras if isinstance(e, Form)]
        if forms and forms[0].parse is not None:
            return forms[0].parse
        metas = [e.meta if isinstance(e, Form) else e for e in extras]
        metas = [m for m in metas if isinstance(m, msgspec.Meta)]
        return Annotated[(_strict(base), *metas)] if metas else _strict(base)
    if is_typeddict(kind):
        required = kind.__required_keys__
        fields = {}
        for name, hint in kind.__annotations__.items():
            derived = _strict(_unrequired(hint))
            fields[name] = derived if name in required else NotRequired[derived]
        return TypedDict(kind.__name__, fields)  # type: ignore[operator]
    if origin in (list, dict):
        return origin[tuple(_strict(arg) for arg in get_args(kind))]
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, (_strict(arg) for arg in get_args(kind)))
    if isinstance(kind, type) and (dataclasses.is_dataclass(kind) or kind in _NOT_JSON):
        raise _NotFast
    return kind


def _amounts(kind: Any) -> Any:
    """The part of ``kind`` that holds amounts, each read as a number of 0 or more; Any where
    there is none (a TypedDict skips the keys it does not name)."""
    origin = get_origin(kind)
    if origin is Annotated:
        forms = [e for e in get_args(kind)[1:] if isinstance(e, Form)]
        return _AMOUNT if forms and forms[0].amount else _amounts(get_args(kind)[0])
    if is_typeddict(kind):
        fields = {}
        for name, hint in kind.__annotations__.items():
            derived = _amounts(_unrequired(hint))
            if derived is not Any:
                fields[name] = NotRequired[derived]
        return TypedDict(kind.__name__, fields) if fields else Any  # type: ignore[operator]
    if origin in (list, dict, Union, types.UnionType):
        args = [_amounts(arg) for arg in get_args(kind)]
        if all(arg is Any for arg in args):
            return Any
        if origin in (Union, types.UnionType):
            # None, or an amount; what else the union admits the first pass checked.
            return functools.reduce(operator.or_, [*{a for a in args if a is not Any}, type(None)])
        return origin[tuple(args)]
    return Any


def _unrequired(kind: Any) -> Any:
    while get_origin(kind) in (NotRequired, Required):
        kind = get_args(kind)[0]
    return kind
