"""Where answers come from: an answers file, ``--set``, a person at a terminal, or defaults.

The journey calls :meth:`Asker.ask` with a :class:`~loancli.questions.Question`; it never knows
which of these answered. Sources are layered as copier does: ``--set`` over the answers file,
then the terminal (if there is one), then the question's default.

An answer may be a list: one item is used per ask, so ``id_front: [blurry.png, front.png]``
answers a first upload and its retry. When a list runs out, a question with a default takes the
default; otherwise the terminal is asked, or with no terminal the journey stops
(:class:`AnswersExhausted`, exit 3). A key never given at all is :class:`MissingAnswer` (exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from loancli.errors import AnswersExhausted, InvalidAnswer, MissingAnswer, UsageError
from loancli.questions import QUESTIONS, Question


class Prompter(Protocol):
    """Something that can ask a person (questionary at a terminal, or a test double)."""

    def prompt(self, question: Question, context: Mapping[str, Any]) -> Any: ...

    def tell(self, message: str, kind: str) -> None: ...


class AnswerSource:
    """Scripted answers keyed by question name, each a queue of one or more items."""

    def __init__(self, answers: Mapping[str, Any], base_dir: Path, origin: str) -> None:
        self.origin = origin
        self.base_dir = base_dir
        self._queues: dict[str, list[Any]] = {}
        for key, value in answers.items():
            if key not in QUESTIONS:
                known = ", ".join(sorted(QUESTIONS))
                raise UsageError(f"unknown answer key in {origin}; known keys: {known}", key=key)
            self._queues[key] = list(value) if isinstance(value, list) else [value]
        self._used: dict[str, int] = {}

    def has(self, key: str) -> bool:
        return key in self._queues

    def next(self, key: str) -> tuple[bool, Any]:
        """(True, value) for the next unused item, (False, None) when the list ran out."""
        used = self._used.get(key, 0)
        queue = self._queues[key]
        if used >= len(queue):
            return False, None
        self._used[key] = used + 1
        return True, queue[used]


def load_answers_file(path: Path) -> AnswerSource:
    """Read a YAML answers file; paths in it are relative to the file."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read answers file {path}: {exc.strerror}", key="--answers"
        ) from None
    try:
        data = read_text_yaml(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UsageError(f"answers file {path} is not valid YAML{where}", key="--answers") from None
    if not isinstance(data, dict):
        raise UsageError(f"answers file {path} must be a mapping of key: answer", key="--answers")
    return AnswerSource(data, path.resolve().parent, str(path))


def read_text_yaml(text: str) -> Any:
    """YAML whose scalars all stay the text that was written: ``004604`` is not the octal
    2436, ``yes`` is not True, ``12:30`` is not 750. Each question parses its own answer."""
    import yaml

    return yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects


def parse_set_options(items: list[str]) -> AnswerSource:
    """``--set KEY=VALUE``: VALUE exactly as typed (one pair of surrounding quotes dropped, as
    YAML drops them), or a flow list of such texts (``[a.png, b.png]``)."""
    import yaml

    data: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{item!r} is not KEY=VALUE", key="--set")
        value: Any = raw
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
            value = raw[1:-1]  # quoted as YAML would be: the text inside
        elif raw.strip().startswith("[") and raw.strip().endswith("]"):
            try:
                value = read_text_yaml(raw)
            except yaml.YAMLError:
                value = raw
        data[key.strip()] = value
    return AnswerSource(data, Path.cwd(), "--set")


class Asker:
    """Answers questions from layered sources and records every answer it gives."""

    def __init__(self, sources: list[AnswerSource], prompter: Prompter | None = None) -> None:
        self.sources = sources
        self.prompter = prompter
        self.recorded: dict[str, list[Any]] = {}

    @property
    def interactive(self) -> bool:
        return self.prompter is not None

    def scripted(self, key: str) -> bool:
        """Whether a script (``--set``, the scenario, the answers file) answers ``key``."""
        return any(source.has(key) for source in self.sources)

    def ask(self, key: str, context: Mapping[str, Any] | None = None) -> Any:
        q = QUESTIONS[key]
        context = dict(context or {})
        for source in self.sources:
            if not source.has(key):
                continue
            found, raw = source.next(key)
            if not found:
                return self._exhausted(q, context)
            context.setdefault("base_dir", source.base_dir)
            try:
                value = q.parse(raw, context)
            except ValueError as exc:
                # Never echo a password, nor a whole personal number, into an error message.
                raise InvalidAnswer(key, _shown(q, raw), str(exc)) from None
            return self._record(q, value)
        if self.prompter is not None:
            return self._record(q, self.prompter.prompt(q, context))
        if q.has_default:
            return self._record(q, q.parse(q.default_for(context), context))
        raise MissingAnswer(key)

    def _exhausted(self, q: Question, context: dict[str, Any]) -> Any:
        if q.has_default:
            return self._record(q, q.parse(q.default_for(context), context))
        if self.prompter is not None:
            return self._record(q, self.prompter.prompt(q, context))
        raise AnswersExhausted(q.key)

    def _record(self, q: Question, value: Any) -> Any:
        if not q.recorded:  # A CVV2 is never written down
            return value
        self.recorded.setdefault(q.key, []).append(q.dump_fn(value) if q.dump_fn else value)
        return value

    def tell(self, message: str, kind: str = "info") -> None:
        """Show something a borrower would see (a notification, a quote); silent when scripted."""
        if self.prompter is not None:
            self.prompter.tell(message, kind)

    def recording(self) -> dict[str, Any]:
        """Every answer given, a scalar where asked once, a list where retried."""
        out: dict[str, Any] = {}
        for key, values in self.recorded.items():
            plain = [_plain(v) for v in values]
            out[key] = plain[0] if len(plain) == 1 else plain
        return out


def _shown(q: Question, raw: Any) -> Any:
    """An answer as an error message may show it: secrets hidden, personal numbers masked."""
    if q.secret:
        return "(hidden)"
    if q.shown is not None and isinstance(raw, str):
        return q.shown(raw)
    return raw


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    return value


def write_recording(asker: Asker, path: Path) -> None:
    """Write the answers given, as a YAML answers file that replays the run."""
    import os

    import yaml

    data = asker.recording()
    base = path.resolve().parent
    for key in ("id_front", "id_back"):
        if key in data:
            items = data[key] if isinstance(data[key], list) else [data[key]]
            rel = [os.path.relpath(Path(p).resolve(), base) for p in items]
            data[key] = rel[0] if len(rel) == 1 else rel
    header = (
        "# Recorded by loancli apply --record. Replay with: loancli apply --answers "
        f"{path.name}\n# Holds the passwords typed: keep it with the test data, not in a ticket.\n"
    )
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=True, default_flow_style=None)
    write_private(path, header + body)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (mode 0600), an existing one included: a
    recording holds passwords, a report the borrower's details."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on open
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
