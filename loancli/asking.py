"""Where answers come from: an answers file, ``--set``, a person at a terminal, or defaults.

The journey calls :meth:`Asker.ask` with a :class:`~loancli.questions.Question`; it never knows
which of these answered. Sources are layered as copier does: ``--set`` over a story action's
answers over the scenario's borrower answers over the answers file, then the terminal (if
there is one), then the question's default.

An answer may be a list: one item is used per ask, so ``id_front: [blurry.png, front.png]``
answers a first upload and its retry. The first source that has the key answers it; only the
scenario's borrower list, when it runs out, leaves the later askings to the answers file
below it, item by item (a walk recorded under the scenario kept both). When the lists run out,
a question with a default takes the default; otherwise the terminal is asked, or with no
terminal the journey stops (:class:`AnswersExhausted`, exit 3). A key never given at all is
:class:`MissingAnswer` (exit 2).
"""

from __future__ import annotations

import copy
import functools
import os
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from loancli.errors import (
    AnswersExhausted,
    InvalidAnswer,
    MissingAnswer,
    RuleError,
    UsageError,
    quoted,
)
from loancli.files import FileTooLarge, NotRegularFile, read_regular, write_private
from loancli.i18n import _
from loancli.masking import mask_numbers
from loancli.questions import QUESTIONS, Question, QuestionContext, canonical
from loancli.text import printable
from loancli.validation import (
    NOT_UTF8,
    as_text,
    check_one_value,
    has_surrogate,
)

if TYPE_CHECKING:
    import yaml

# The domain fields an answers file and a ``KEY=VALUE`` answer are refused as (``cli/`` names
# the options: ``--answers``, ``--set``).
ANSWERS = "answers"
ANSWER = "answer"


class Prompter(Protocol):
    """Something that can ask a person (questionary at a terminal, or a test double); it
    returns the parsed answer."""

    # Any, on purpose: a parsed answer's type depends on its question (text, a number, yes or
    # no, a date, a path); the parsing of answers is the one open edge left (issue 17).
    def prompt(self, question: Question, context: QuestionContext) -> Any: ...

    def tell(self, message: str, kind: str) -> None: ...


class SmsNotice(str):
    """The text of an SMS shown to the borrower, knowing the (masked) number it reached."""

    to: str

    def __new__(cls, text: str, to: str) -> SmsNotice:
        notice = super().__new__(cls, text)
        notice.to = to
        return notice


class AnswerSource:
    """Scripted answers keyed by question name, each a queue of one or more items."""

    def __init__(
        self,
        answers: Mapping[str, object],
        base_dir: Path,
        origin: str,
        *,
        falls_through: bool = False,
    ) -> None:
        self.origin = origin
        self.base_dir = base_dir
        # Whether a list that runs out here leaves the later askings to the sources below
        # (a scenario's borrower answers); else it is the key's whole answer (``--set``).
        self.falls_through = falls_through
        self._queues: dict[str, list[object]] = {}
        for key, value in answers.items():
            if key not in QUESTIONS:
                known = ", ".join(sorted(QUESTIONS))
                raise UsageError(
                    _("unknown answer key in {origin}; known keys: {known}").format(
                        origin=origin, known=known
                    ),
                    key=key,
                )
            self._queues[key] = list(value) if isinstance(value, list) else [value]

    def has(self, key: str) -> bool:
        return key in self._queues

    def items(self) -> Iterator[tuple[str, list[object]]]:
        return iter(self._queues.items())

    def item(self, key: str, n: int) -> tuple[bool, object]:
        """(True, value) for the answer to the ``n``-th asking of ``key`` (from 0), (False,
        None) when the list is shorter."""
        queue = self._queues.get(key, [])
        return (True, queue[n]) if n < len(queue) else (False, None)


# The answers sets that ship with loancli; their image answers name the built-in images.
BUILTIN_ANSWERS = Path(__file__).parent / "data" / "answers"
BUILTIN_IMAGES = Path(__file__).parent / "data" / "images"


def builtin_answers_name(path: str | os.PathLike[str]) -> str | None:
    """The built-in answers set ``path`` names (``happy-path``, ``change-phone``,
    ``checkout``): a bare name with no file of that name in the current folder."""
    text = os.fspath(path)
    if "/" in text or os.sep in text or Path(text).suffix or os.path.lexists(text):
        return None
    return text if (BUILTIN_ANSWERS / f"{text}.yaml").is_file() else None


def answers_ref(path: str | os.PathLike[str]) -> str:
    """How a run names its answers file so that it can be given again: a built-in set by its
    name, a file by its absolute path."""
    return builtin_answers_name(path) or str(Path(path).resolve())


def load_answers_file(path: Path) -> AnswerSource:
    """Read a YAML answers file; paths in it are relative to the file. A bare name with no
    such file is a built-in answers set (``--answers happy-path``), whose images are the
    built-in ones."""
    name = builtin_answers_name(path)
    if name is not None:
        path = BUILTIN_ANSWERS / f"{name}.yaml"
    elif not path.suffix and len(path.parts) == 1 and not os.path.lexists(path):
        names = ", ".join(sorted(p.stem for p in BUILTIN_ANSWERS.glob("*.yaml")))
        raise RuleError(
            ANSWERS,
            _("{value0} is neither an answers file nor a built-in answers set ({names})").format(
                value0=quoted(str(path)), names=names
            ),
        )
    data = read_yaml_file(path, "answers file", key=ANSWERS, typed=False) or {}
    if not isinstance(data, dict):
        raise RuleError(
            ANSWERS,
            _("answers file {path} must be a mapping of key: answer").format(path=path),
        )
    if name is not None:
        return AnswerSource(data, BUILTIN_IMAGES, _("built-in answers {name}").format(name=name))
    return AnswerSource(data, path.resolve().parent, str(path))


# Limits on a YAML document a person hands us. An answers file or a scenario is a few dozen
# lines; these are far above that and far below what exhausts memory or the stack.
YAML_MAX_BYTES = 1024 * 1024
YAML_MAX_DEPTH = 20
# Values once aliases are expanded: a "billion laughs" file is a few hundred bytes whose
# expansion is 10^9 values. Aliases themselves are allowed (a scenario may reuse a block).
YAML_MAX_NODES = 20_000


class YamlTooComplex(ValueError):
    """A document beyond the limits above."""


class YamlDuplicateKey(YamlTooComplex):
    """A mapping that gives a key twice: YAML would keep the last, and the first would be
    lost unseen (a story's actions, an expectation, an answer)."""


class YamlTagRefused(YamlTooComplex):
    """An explicit tag (``!!python/object``, ``!!binary``) in a document that takes none."""


class YamlValueRefused(YamlTooComplex):
    """A scalar the typed loader cannot make a value of: a date that is no day
    (``2026-02-30``), a number of more digits than Python reads (4,300)."""


def read_yaml_file(path: Path, what: str, *, key: str, typed: bool) -> object:
    """A YAML file, bounded (size, nesting, alias expansion), UTF-8 only, every failure a
    :class:`RuleError` naming the domain field ``key`` (``answers``, ``scenario``) and the
    file. ``typed=False`` keeps every scalar as text."""
    import yaml

    try:
        # A missing file is left to the open, which says "cannot read ...: No such file".
        raw = read_regular(path, YAML_MAX_BYTES, missing_ok=True)
    except NotRegularFile as exc:
        shown = path if len(str(path)) <= 200 else quoted(str(path), 200)
        raise RuleError(
            key, _("{what} {shown} {problem}").format(what=what, shown=shown, problem=exc.problem)
        ) from None
    except FileTooLarge:
        raise RuleError(
            key,
            _("{what} {path} is larger than {value0} KiB").format(
                what=what, path=path, value0=YAML_MAX_BYTES // 1024
            ),
        ) from None
    except OSError as exc:
        raise RuleError(
            key,
            _("cannot read {what} {path}: {value0}").format(
                what=what, path=path, value0=exc.strerror
            ),
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleError(
            key,
            _(
                "{what} {path} is not UTF-8 text (byte 0x{value0:02x} at offset {value1}); save "
                "it as UTF-8"
            ).format(what=what, path=path, value0=raw[exc.start], value1=exc.start),
        ) from None
    try:
        # Plain YAML, as a story's and a ticket's: a tag, even a safe one, is refused.
        return read_yaml(text, typed=typed, tags=False)
    except YamlTooComplex as exc:
        raise RuleError(
            key, _("{what} {path}: {exc}").format(what=what, path=path, exc=exc)
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RuleError(
            key, _("{what} {path} is not valid YAML{at}").format(what=what, path=path, at=at)
        ) from None


def read_yaml(text: str, *, typed: bool = False, tags: bool = True) -> object:
    """YAML within the limits above. Untyped, every scalar stays the text that was written:
    ``004604`` is not the octal 2436, ``yes`` is not True, ``12:30`` is not 750, and each
    question parses its own answer. With ``tags=False`` an explicit tag, even a safe one
    (``!!binary``, ``!!set``), is refused: a document loancli wrote has none."""
    known = _READ.get((text, typed, tags))
    if known is None:
        try:
            known = _read_yaml_once(text, typed=typed, tags=tags)
        except YamlTooComplex:
            raise
        except (ValueError, OverflowError) as exc:  # raised by a scalar's constructor
            raise YamlValueRefused(_value_refusal(exc)) from None
        _keep_read((text, typed, tags), known)
    # Each caller gets its own copy: some fill in or change what they read.
    return copy.deepcopy(known)


def _value_refusal(exc: Exception) -> str:
    if "digits" in str(exc):  # int(): "Exceeds the limit (4300 digits) for integer ..."
        return "a number of more than 4300 digits is not read"
    return f"a value cannot be read: {exc}"  # datetime: "day is out of range for month"


def yaml_text(data: object) -> str:
    """``data`` as a YAML document, unicode kept and keys in their order, written by libyaml
    when PyYAML has it: some ten times faster than the pure-Python writer (a twentieth of the
    test suite went on writing tickets), and a string holding a NEL (U+0085) reads back as
    written, where the pure-Python writer put it raw inside quotes, where a reader folds it
    into a space. A string libyaml cannot write (a lone surrogate, from a ``--set`` byte that
    was not UTF-8) goes to the pure-Python writer, which escapes it."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", None)
    if dumper is not None:
        try:
            text: str = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False)
            return text
        except UnicodeEncodeError:
            pass
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# Documents read so far, by their text: a story suite reads the same answers set and scenario
# hundreds of times.
_READ: dict[tuple[str, bool, bool], object] = {}
# Bounded by the text kept, not the count: the 90 shipped stories are read twice each (typed
# and as written), more than a cache of 128 documents held, so a process that checked them
# again read each again.
_READ_MAX_CHARS = 4_000_000
_read_chars = 0


def _keep_read(key: tuple[str, bool, bool], data: object) -> None:
    global _read_chars
    if _read_chars + len(key[0]) > _READ_MAX_CHARS:
        _READ.clear()
        _read_chars = 0
    _READ[key] = data
    _read_chars += len(key[0])


class _SizeChecked:
    """A loader whose document is refused when its values, aliases expanded, are too many
    (:func:`_expanded_size`), before any value is made."""

    def get_single_node(self) -> yaml.Node | None:
        node: yaml.Node | None = super().get_single_node()  # type: ignore[misc]
        if node is not None:
            _expanded_size(node)
        return node


def _read_yaml_once(text: str, *, typed: bool, tags: bool) -> object:
    import yaml

    # libyaml reads UTF-8 only: a lone surrogate (a ``--set`` byte that was not UTF-8) goes
    # to the pure-Python loader, which reads it and leaves the refusal to the answer's check.
    if getattr(yaml, "__with_libyaml__", False) and not has_surrogate(text):
        try:
            return _read_yaml_libyaml(text, typed=typed, tags=tags)
        except yaml.YAMLError:
            pass  # the pure-Python loader below says what is wrong, as it always has
    base = yaml.SafeLoader if typed else yaml.BaseLoader

    class Bounded(_SizeChecked, base):  # type: ignore[misc, valid-type]
        depth = 0

        def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
            if not tags:
                event = self.peek_event()
                tag = getattr(event, "tag", None)
                if tag not in (None, "!"):
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise YamlTagRefused(f"the tag {tag} at line {line} is not allowed here")
            self.depth += 1
            if self.depth > YAML_MAX_DEPTH:
                raise YamlTooComplex(f"nested deeper than {YAML_MAX_DEPTH} levels")
            try:
                node: yaml.Node | None = super().compose_node(parent, index)
                return node
            finally:
                self.depth -= 1

    if typed:
        Bounded.add_constructor("tag:yaml.org,2002:int", _int_as_written)
        Bounded.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_at_its_line)
    data: object = yaml.load(text, Loader=Bounded)  # noqa: S506 - Safe/BaseLoader build none
    return data


def _read_yaml_libyaml(text: str, *, typed: bool, tags: bool) -> object:
    """:func:`read_yaml` through libyaml (PyYAML's C parser, some ten times faster): one pass
    over the parser's events checks nesting and tags before anything is composed, then the C
    composer builds the nodes, whose size with aliases expanded is checked before any value
    is made. The same limits, refusals and values as the pure-Python loader; a document
    libyaml cannot read goes to that loader, whose message names the problem."""
    import yaml

    base = yaml.CSafeLoader if typed else yaml.CBaseLoader
    depth = 0
    for event in yaml.parse(text, Loader=base):
        if not tags:
            tag = getattr(event, "tag", None)
            if tag not in (None, "!"):
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise YamlTagRefused(f"the tag {tag} at line {line} is not allowed here")
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        # A node counts one level, as the pure-Python composer counts it: a collection
        # for everything inside it, a scalar or an alias for itself.
        if depth + 1 > YAML_MAX_DEPTH:
            raise YamlTooComplex(f"nested deeper than {YAML_MAX_DEPTH} levels")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1

    data: object = yaml.load(text, Loader=_c_loader(typed))  # noqa: S506 - CSafe/CBaseLoader build none
    return data


@functools.cache
def _c_loader(typed: bool) -> type:
    """libyaml's loader, its document's size checked (a class made once a process)."""
    import yaml

    base = yaml.CSafeLoader if typed else yaml.CBaseLoader

    class Bounded(_SizeChecked, base):  # type: ignore[misc, valid-type]
        pass

    if typed:
        Bounded.add_constructor("tag:yaml.org,2002:int", _int_as_written)
        Bounded.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_at_its_line)
    return Bounded


def _timestamp_at_its_line(loader: Any, node: Any) -> object:
    """A date or time as YAML reads it; one no calendar has (``2026-02-30``, hour 25) names
    its line and what was written, where it said only "day is out of range for month"."""
    import yaml

    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        line = node.start_mark.line + 1 if node.start_mark is not None else 0
        raise ValueError(
            _("line {line}: {value} is no date or time ({why})").format(
                line=line, value=str(node.value)[:40], why=exc
            )
        ) from None


def _int_as_written(loader: Any, node: Any) -> object:
    """A number as YAML 1.2 reads it, not YAML 1.1: ``07`` is 7 and ``012345`` is 12345 (YAML
    1.1's octal made them 7 and 5349), and ``1:30`` is the text written (YAML 1.1's base 60
    made it 90). ``08`` and ``09`` stay the text YAML 1.1 reads them as: a YAML writer of 1.1
    (PyYAML's) writes the text ``0928`` unquoted, and a ticket's card expiry must read back
    as that text. An answer a story gives is read as written anyway (a code keeps its leading
    zeros: :func:`loancli.stories.runner.parse_story`)."""
    import yaml

    text = str(node.value)
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        # Base 60, hexadecimal (0x4E20 was read as 20000), binary, or digits grouped by "_":
        # the text written, which the key's own reading refuses naming it (a number is
        # written in the digits 0-9).
        return text
    if len(digits) > 1 and digits[0] == "0":
        return -int(digits, 10) if text.startswith("-") else int(digits, 10)
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


def _expanded_size(root: yaml.Node) -> int:
    """Values with every alias expanded, computed without expanding them: a node shared by
    aliases is sized once and counted once per reference. A node that holds an alias of
    itself (``a: &a [*a]``) has no end: refused."""
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    mapping = yaml.MappingNode

    def size(node: yaml.Node) -> int:
        value = node.value
        if not isinstance(value, list):
            return 1  # a scalar: itself, however many aliases name it
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in open_nodes:
            line = node.start_mark.line + 1 if node.start_mark else 0
            raise YamlTooComplex(
                f"the value at line {line} holds an alias of itself (it would never end)"
            )
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, mapping):
            _refuse_duplicate_keys(node)
            parts: Iterable[yaml.Node] = (part for pair in value for part in pair)
        else:
            parts = value
        for part in parts:
            total += size(part)
            if total > YAML_MAX_NODES:
                raise YamlTooComplex(
                    f"expands to more than {YAML_MAX_NODES:,} values (aliases repeat a "
                    "block too often)"
                )
        sizes[id(node)] = total
        open_nodes.discard(id(node))
        return total

    return size(root)


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    """Two keys that make one key of the mapping read (``1`` and ``01``, ``yes`` and
    ``true`` once typed; the same text where every scalar is text) are refused."""
    import yaml

    seen: dict[object, yaml.Node] = {}
    scalar = yaml.ScalarNode
    for key, _value in node.value:
        if not isinstance(key, scalar):
            continue
        tag = key.tag
        if tag == "tag:yaml.org,2002:merge":
            continue
        made = key.value
        if tag.endswith(_TYPED):
            try:
                # As the loader will make it (a text stays its text).
                made = _scalars().construct_object(key)
            except (yaml.YAMLError, ValueError, TypeError):
                made = key.value
        try:
            first = seen.get(made)
            if first is None:
                seen[made] = key
        except TypeError:  # not hashable: the loader refuses it itself
            continue
        # (An alias as the second key is the very node of the first: compared by being seen.)
        if first is not None:
            line = key.start_mark.line + 1 if key.start_mark else 0
            at = first.start_mark.line + 1 if first.start_mark else 0
            raise YamlDuplicateKey(
                f"the key {key.value[:40]!r} at line {line} is given twice (first at line "
                f"{at}): only one would be kept"
            )


@functools.cache
def _scalars() -> yaml.constructor.SafeConstructor:
    """PyYAML's safe constructor, made when a typed key is first compared."""
    import yaml

    return yaml.constructor.SafeConstructor()


# The tags of typed scalars whose texts may differ and make one value.
_TYPED = (":int", ":float", ":bool", ":null", ":timestamp")


def parse_set_options(items: list[str]) -> AnswerSource:
    """``--set KEY=VALUE``: VALUE exactly as typed (one pair of surrounding quotes dropped, as
    YAML drops them), or a flow list of such texts (``[a.png, b.png]``)."""
    data: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise RuleError(ANSWER, _("{item!r} is not KEY=VALUE").format(item=item))
        if has_surrogate(key):
            raise RuleError(
                ANSWER,
                _("the key {key!r} is {problem}").format(key=key, problem=_(NOT_UTF8)),
            )
        data[key.strip()] = set_value(raw)
    return AnswerSource(data, Path.cwd(), "--set")


def set_value(raw: str) -> object:
    """The VALUE of a ``--set KEY=VALUE`` as a run reads it: exactly as typed (one pair of
    surrounding quotes dropped, as YAML drops them), or a flow list of such texts."""
    import yaml

    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]  # quoted as YAML would be: the text inside
    if raw.strip().startswith("[") and raw.strip().endswith("]"):
        try:
            return read_yaml(raw, tags=False)
        except (yaml.YAMLError, YamlTooComplex):  # not a flow list: the text as typed
            return raw
    return raw


def answer_problem(q: Question, raw: object, base_dir: Path) -> str | None:
    """What is wrong with a scripted answer as far as it can be told before the journey (its
    form, its range, that its file is an image), or None; paths start at ``base_dir``."""
    try:
        scripted_value(q, raw, base_dir)
    except ValueError as exc:
        return str(exc)
    return None


def scripted_value(q: Question, raw: object, base_dir: Path) -> object:
    """A scripted answer read as far as it can be before the journey (``6期`` is 6, ``1.5万``
    is 15000), so two spellings of one answer are one value; a ``ValueError`` saying what is
    wrong with it. Paths start at ``base_dir``."""
    context = QuestionContext(base_dir=base_dir)
    if q.kind == "select" and q.choices_from is not None:
        # The choices are the product's, known in the journey only: here only the form
        # (one value; a term is a number of months).
        check_one_value(raw)
        text = as_text(raw).strip()
        if q.parse_fn is not None:
            return q.parse_fn(text, context)
        if canonical(q.key, text) not in q.choices:
            # A way of repaying the engine has not (every product's is one of them).
            q.parse(raw, context)
        return canonical(q.key, text)
    return q.parse(raw, context)


def asks(*keys: str, unless: Mapping[str, tuple[str, str]] | None = None) -> Callable[[F], F]:
    """Declare the answers a step always needs: ``@asks("card_number", "bank_sms_code")``.
    ``"phone|login_id"`` means either one will do. Questions with a default need no answer.
    ``unless={"old_phone_code": ("identity_method", "face")}``: that one is not needed when
    the script answers the other so. A script without a terminal is told every missing one
    at once, before anything runs."""

    def mark(step: F) -> F:
        step.asks = keys  # type: ignore[attr-defined]
        step.asks_unless = dict(unless or {})  # type: ignore[attr-defined]
        return step

    return mark


F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Asker:
    """Answers questions from layered sources and records every answer it gives."""

    def __init__(self, sources: list[AnswerSource], prompter: Prompter | None = None) -> None:
        self.sources = sources
        self.prompter = prompter
        # Around each prompt: what frees the state file while a person thinks (the store's
        # ``waiting``); nothing by default.
        self.waiting: Callable[[], AbstractContextManager[None]] = nullcontext
        # The answers given, as a recording writes them (``Question.dump_fn``).
        self.recorded: dict[str, list[object]] = {}
        # How many answers of each key belong to steps that finished (see checkpoint).
        self._kept: dict[str, int] = {}
        # The simulated now the run began at (a recording's replay starts its world there).
        self.started_at: str | None = None
        # How many times each scripted key was asked (its next answer is the item there).
        self._asked: dict[str, int] = {}
        # Whether a question no answer names takes its default. A replay of a run that ended
        # before its steps did (Ctrl-C at a prompt) has every answer the run took, defaults
        # too: the first question it has none for is where the run ended, not a default.
        self.defaults = True

    @property
    def interactive(self) -> bool:
        return self.prompter is not None

    def precheck(self) -> None:
        """Check every scripted answer that can be checked without the journey (its form, its
        range, that its file is an image) before anything is written: ``InvalidAnswer``."""
        for source in self.sources:
            for key, queue in source.items():
                q = QUESTIONS[key]
                for raw in queue:
                    problem = answer_problem(q, raw, source.base_dir)
                    if problem:
                        raise InvalidAnswer(key, _shown(q, raw), problem)

    def missing(self, steps: Iterable[Callable[..., Any]]) -> list[str]:
        """The answers ``steps`` always need that nobody can give (no script, no terminal,
        no default), in the order asked; empty at a terminal."""
        if self.prompter is not None:
            return []
        out: list[str] = []
        for step in steps:
            unless: Mapping[str, tuple[str, str]] = getattr(step, "asks_unless", {})
            for spec in getattr(step, "asks", ()):
                keys = spec.split("|")
                if any(
                    self.scripted(k) or (QUESTIONS[k].has_default and self.defaults) for k in keys
                ):
                    continue
                other = unless.get(spec)
                if other is not None and self._will_answer(*other):
                    continue
                if keys[0] not in out:
                    out.append(keys[0])
        return out

    def peek(self, key: str) -> Any:
        """The scripted answer ``ask(key)`` would take next, parsed, without taking it; None
        when no script answers it (or its answer is not acceptable: asking will say so)."""
        found = self._scripted_item(key, self._asked.get(key, 0))
        if found is None:
            return None
        source, raw = found
        try:
            return QUESTIONS[key].parse(raw, {"base_dir": source.base_dir})
        except ValueError:
            return None

    def _will_answer(self, key: str, value: str) -> bool:
        """Whether ``key`` is answered ``value`` (scripted, or by its default)."""
        if self.scripted(key):
            return bool(self.peek(key) == value)
        question = QUESTIONS[key]
        return question.has_default and self.defaults and question.default == value

    def scripted(self, key: str) -> bool:
        """Whether a script (``--set``, the scenario, the answers file) answers ``key``."""
        return any(source.has(key) for source in self.sources)

    def _scripted_item(self, key: str, n: int) -> tuple[AnswerSource, object] | None:
        """The scripted answer to the ``n``-th asking of ``key`` (from 0): the ``n``-th item
        of the first source that has the key, or, past the end of a list that falls
        through (a scenario's borrower answers), of the next one below. So a walk recorded
        under a scenario whose borrower answers one code wrong (``sms_code: ['000000']``)
        recorded both codes (``['000000', auto]``), and replays under it, the second from
        the recording; a ``--set`` list is still the key's whole answer."""
        for source in self.sources:
            if not source.has(key):
                continue
            found, raw = source.item(key, n)
            if found:
                return source, raw
            if not source.falls_through:
                return None
        return None

    # Any, as Question.parse: what an answer parses to depends on its question.
    def ask(self, key: str, context: QuestionContext | None = None) -> Any:
        """The parsed answer to question ``key`` (what it parses to depends on the question)."""
        q = QUESTIONS[key]
        context = context.copy() if context else QuestionContext()
        if self.scripted(key):
            n = self._asked.get(key, 0)
            self._asked[key] = n + 1
            found = self._scripted_item(key, n)
            if found is None:
                return self._exhausted(q, context)
            source, raw = found
            context.setdefault("base_dir", source.base_dir)
            try:
                value = q.parse(raw, context)
            except ValueError as exc:
                # Never echo a password, nor a whole personal number, into an error message.
                raise InvalidAnswer(key, _shown(q, raw), str(exc)) from None
            return self._record(q, value)
        if self.prompter is not None:
            return self._record(q, self._prompt(q, context))
        if q.has_default and self.defaults:
            return self._record(q, q.parse(q.default_for(context), context))
        raise MissingAnswer(key)

    def _exhausted(self, q: Question, context: QuestionContext) -> object:
        if q.has_default and self.defaults:
            return self._record(q, q.parse(q.default_for(context), context))
        if self.prompter is not None:
            return self._record(q, self._prompt(q, context))
        raise AnswersExhausted(q.key)

    def _prompt(self, q: Question, context: QuestionContext) -> object:
        assert self.prompter is not None
        with self.waiting():
            return self.prompter.prompt(q, context)

    def _record(self, q: Question, value: T) -> T:
        """Write the parsed answer ``value`` down (as its question dumps it); return it."""
        if not q.recorded:  # A CVV2 is never written down: at most a stand-in that replays
            if q.recorded_as is not None:
                self.recorded.setdefault(q.key, []).append(q.recorded_as)
            return value
        self.recorded.setdefault(q.key, []).append(q.dump_fn(value) if q.dump_fn else value)
        return value

    def checkpoint(self) -> None:
        """A step finished: its answers stay in the recording. Those of a step that is cut
        short (Ctrl-C, a refused answer) are left out, because ``--resume`` asks them again."""
        self._kept = {key: len(values) for key, values in self.recorded.items()}

    def record_as(self, key: str, value: object) -> None:
        """Write the last answer to ``key`` down as ``value``: a code typed by hand that was
        the newest on the simulated phone is recorded as ``auto``, so it replays anywhere."""
        if self.recorded.get(key):
            self.recorded[key][-1] = value

    def tell(self, message: str, kind: str = "info") -> None:
        """Show something a borrower would see (a notification, a quote); silent when scripted."""
        if self.prompter is not None:
            self.prompter.tell(message, kind)

    def tell_sms(self, to: str, message: str) -> None:
        """Show an SMS as it reaches the (masked) number ``to``: kind ``sms``, the text
        carrying its receiver (:class:`SmsNotice`), so old and new numbers are told apart."""
        self.tell(SmsNotice(message, to), "sms")

    def recording(self, finished_steps_only: bool = False) -> dict[str, object]:
        """Every answer given, a scalar where asked once, a list where retried; with
        ``finished_steps_only``, without those of a step that was cut short."""
        out: dict[str, object] = {}
        for key, values in self.recorded.items():
            if finished_steps_only:
                values = values[: self._kept.get(key, 0)]
            plain = [_plain(v) for v in values]
            if plain:
                out[key] = plain[0] if len(plain) == 1 else plain
        return out


def _shown(q: Question, raw: object) -> object:
    """An answer as an error message may show it: secrets hidden, personal numbers masked."""
    if q.secret:
        return "(hidden)"
    if q.shown is not None and isinstance(raw, str):
        return q.shown(raw)
    if q.kind == "path" and isinstance(raw, str):
        return mask_numbers(raw)  # a photo named after its owner's number
    return raw


def shown_set_item(item: str) -> str:
    """A ``--set KEY=VALUE`` as a person may see it (a report's reproduce line): a secret's
    value hidden, a phone, card or ID number masked as in every other output."""
    key, sep, value = item.partition("=")
    question = QUESTIONS.get(key.strip())
    if not sep or question is None or value == "<hidden>":
        return item
    return f"{key}={_shown(question, value)}"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    return value


RECORDING_MARK = "# Recorded by loancli"


def write_recording(
    asker: Asker, path: Path, command: str = "apply", resumed: bool = False, fresh: bool = True
) -> None:
    """Write the answers given, as a YAML answers file that replays the run (``command``, its
    world's options and its own arguments).

    The answers of a step cut short are left out (a resumed run asks them again); a resumed
    run adds its answers to those the file already holds from the earlier run, so the file
    replays the whole journey. A ``fresh`` run (a new journey) replays on a state file of its
    own from the simulated time it began; any other (a flow of an account, a step run again)
    on a copy of the state file it was walked on (its account and its time), unless the
    scenario makes the account."""

    data = asker.recording(finished_steps_only=True)
    base = path.resolve().parent
    for key in ("id_front", "id_back", "income_proof"):
        if key in data:
            value = data[key]
            items = value if isinstance(value, list) else [value]
            rel = [os.path.relpath(Path(str(p)).resolve(), base) if p else p for p in items]
            data[key] = rel[0] if len(rel) == 1 else rel
    # A journey resumed replays whole, from where it began; a flow or a step run again on a
    # copy of its world, from where this run began (the copy's clock is past the first's).
    began = _earlier_start(path) if resumed and fresh else None
    if resumed:
        data = _merged(_earlier_recording(path), data)
    began = began or asker.started_at
    answers = shlex.quote(path.name)
    # Pasted in this file's folder it replays on a state file of its own (without --db it
    # went on the default one, a person's own world), from the time the walk began (a new
    # file starts elsewhere: the first due date would move), the answers named as they are.
    clock = ["--clock", began] if began else []
    replay = shlex.join(["--db", f"{path.stem}.replay.json", *clock])
    where = "in this file's folder" + (
        ""
        if fresh
        else f"; {path.stem}.replay.json a copy of the state file it was walked on, from before "
        "the walk, unless the scenario makes its account"
    )
    how = f"loancli {replay} --no-input {command} --answers {answers} ({where})"
    # One comment line whatever a name or an argument holds (a newline, a byte that was not
    # UTF-8): each such character is written as its escape, so the file reads back.
    header = (
        printable(f"{RECORDING_MARK} {command} --record. Replay with: {how}") + "\n"
        "# Holds the passwords typed: keep it with the test data, not in a ticket.\n"
    )
    body = yaml_text(data)
    write_private(path, header + body)


def is_recording(path: Path) -> bool:
    """Whether the file at ``path`` is empty or begins as a recording does (one a run may
    write over: ``--record`` goes over no other file)."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(RECORDING_MARK.encode()))
    except OSError:
        return False
    return head in (b"", RECORDING_MARK.encode())


def _earlier_start(path: Path) -> str | None:
    """The time the first run of a recording began, as its header says it (a resumed run's
    replay starts where the journey did)."""
    try:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError):
        return None
    if not first.startswith(RECORDING_MARK):
        return None
    found = re.search(r" --clock (\S+)", first)
    return found[1] if found else None


def _earlier_recording(path: Path) -> dict[str, object]:
    """What a recording file already holds, if it is one of ours (else nothing to add to)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if not text.startswith(RECORDING_MARK):
        return {}
    try:
        data = read_yaml(text)
    except Exception:  # noqa: BLE001 - a damaged recording is replaced, not extended
        return {}
    return data if isinstance(data, dict) else {}


def _merged(earlier: dict[str, object], later: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in [*earlier, *(k for k in later if k not in earlier)]:
        values: list[object] = []
        for part in (earlier, later):
            if key in part:
                value = part[key]
                values += value if isinstance(value, list) else [value]
        out[key] = values[0] if len(values) == 1 else values
    return out
