"""Exception types that map to exit codes.

Exit codes: 0 completed, 1 bug, 2 bad input or usage, 3 stopped on a business outcome,
4 state-file problem.
"""

from __future__ import annotations

from enum import IntEnum

from loancli.i18n import N_, _
from loancli.masking import mask_numbers


class ExitCode(IntEnum):
    OK = 0
    BUG = 1
    USAGE = 2
    STOPPED = 3
    STATE = 4


class LoanCliError(Exception):
    """Base of every error the CLI turns into a clean message and an exit code. Its message
    masks an ID number, a phone or a card number in it (one typed where an id was expected, a
    path), wherever it is shown: a terminal, ``--json``, a story's verdict, JUnit."""

    exit_code: ExitCode = ExitCode.BUG

    def __str__(self) -> str:
        return mask_numbers(super().__str__())


def keyed(key: str, message: str) -> str:
    """``message`` about ``key``: ``--page: pages are numbered from 1``, ``--page：页码从 1
    开始`` in Chinese."""
    return _("{key}: {message}").format(key=key, message=message)


class UsageError(LoanCliError):
    """Bad input: an option, an answer or a file is wrong. Exit 2."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *, key: str | None = None) -> None:
        self.key = key
        # (record id, step, answers file) when the input was refused inside a run, which
        # stopped there.
        self.stopped: tuple[str, str, str | None] | None = None
        self._unkeyed = message
        super().__init__(keyed(key, message) if key else message)

    def rekey(self, key: str) -> None:
        """Name ``key`` instead (the option a field was typed as), keeping what the message
        says now (a caller may have added to it)."""
        message = str(self)
        if self.key is not None:
            message = message.removeprefix(keyed(self.key, ""))
        self.key, self._unkeyed = key, message
        self.args = (keyed(key, message),)

    @property
    def unkeyed(self) -> str:
        """The message without the key it names (masked, as the whole message is)."""
        unkeyed = getattr(self, "_unkeyed", None)
        return str(self) if unkeyed is None else mask_numbers(unkeyed)


class RuleError(UsageError):
    """A domain rule refused a value: ``field`` names the domain field (``price``, ``periods``),
    never a command-line option; ``cli/`` maps the field onto the option the user typed."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message, key=field)


class MissingAnswer(UsageError):
    """A question has no answer and nobody can be asked."""

    def __init__(self, key: str) -> None:
        super().__init__(
            _(
                "no answer given and no terminal to ask; put it in the answers file or pass {sets}"
            ).format(sets=f"--set {key}=VALUE"),
            key=key,
        )


def quoted(value: object, limit: int = 40) -> str:
    """A value as an error message shows it: quoted, and cut short when it is long (a
    5,000-digit amount is named by its start and its length, not printed whole)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(str(value)):,} characters)"


def kind_of(value: object) -> str:
    """What a value that is not of the form asked for is, as an error message names it: "a
    list", "a mapping", "true/false", "nothing (null)", "text", "a number"."""
    if isinstance(value, bool):
        return _("true/false")
    if value is None:
        return _("nothing (null)")
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list | tuple):
        return _("a list")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, int | float):
        return _("a number")
    return type(value).__name__


class MissingAnswers(MissingAnswer):
    """Questions a script will need have no answer: all of them, in one message."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        sets = " ".join(f"--set {key}=VALUE" for key in keys)
        text = (
            N_("no answer given and no terminal to ask; put it in the answers file or pass {sets}")
            if len(keys) == 1
            else N_(
                "no answer given and no terminal to ask; put them in the answers file or pass "
                "{sets}"
            )
        )
        UsageError.__init__(self, _(text).format(sets=sets), key=", ".join(keys))


class InvalidAnswer(UsageError):
    """A scripted answer failed the question's validation."""

    def __init__(self, key: str, value: object, why: str) -> None:
        self.value = value
        self.why = why
        super().__init__(
            _("{value} is not accepted: {why}").format(value=quoted(value), why=why), key=key
        )


class AnswersExhausted(LoanCliError):
    """A scripted list of retries ran out: the journey stops on its last outcome."""

    exit_code = ExitCode.STOPPED

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"{key}: the answers for this question ran out")


class StateError(LoanCliError):
    """The state file cannot be used. Exit 4; the file is left as it is."""

    exit_code = ExitCode.STATE


class StateCorrupt(StateError):
    pass


class OutputFailed(LoanCliError):
    """A file the command writes for a person (a report, a calendar, a recording) could not be
    written: a full disk, an I/O error. Exit 4; a file that was there is left as it was.
    ``path`` is the file, when one is known; ``key`` the option that named it."""

    exit_code = ExitCode.STATE
    path: object = None
    key: str | None = None


class StateLocked(StateError):
    pass


class StateConflict(StateError):
    """Another process changed a record this one had read and was about to write (exit 4);
    nothing of the unit was written."""


class SchemaVersionError(StateError):
    pass


class NotFound(RuleError):
    """A named record (applicant, loan, scenario...) does not exist. ``key`` is the domain
    field it was named by (``applicant``, ``record``, ``phone``); ``cli/`` maps it onto the
    option or argument the user typed, as for any :class:`RuleError`."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(key, message)
