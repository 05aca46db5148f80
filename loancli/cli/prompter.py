"""The person at the terminal: questionary prompts that validate like the app."""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import TYPE_CHECKING, Any, TypedDict

from loancli.cli.console import filled, print_indented
from loancli.i18n import N_, _, language
from loancli.questions import Question, QuestionContext, app_word

if TYPE_CHECKING:
    from prompt_toolkit.output import Output
    from rich.console import Console


class _Output(TypedDict, total=False):
    """Where a questionary prompt draws (stderr when stdout carries JSON)."""

    output: Output


def choice_title(key: str, value: str) -> str:
    """A choice as the list shows it: in Chinese the app's word with the value (父母 parent)."""
    if language() != "zh":
        return value
    word = app_word(key, value)
    return f"{word} {value}" if word else value


# The words of a yes/no question: its hint (the default in capitals) and what Enter took.
_CONFIRM_WORDS = {
    "YES": N_("Yes"),
    "NO": N_("No"),
    "YES_OR_NO": N_("(Y/n)"),
    "NO_OR_YES": N_("(y/N)"),
}


def _hung_up(_signal: int, _frame: object) -> None:
    """The terminal closed (SIGHUP): the run ends as Ctrl-C ends it. At a prompt, the prompt
    is told to end with it: raised from inside its event loop's callbacks, the interrupt was
    taken as an error of the loop, which then waited for Enter on a terminal gone (a
    pseudo-terminal test hung so, once in a loaded run)."""
    from prompt_toolkit.application.current import get_app_or_none

    app = get_app_or_none()
    if app is not None and app.is_running and app.future is not None and not app.future.done():
        app.exit(exception=KeyboardInterrupt())
        return
    raise KeyboardInterrupt


# Columns a prompt's line keeps free for the answer (a card number is 19 digits).
_ROOM_TO_ANSWER = 20


class QuestionaryPrompter:
    """Asks a person at a terminal with questionary; validates and re-asks with the reason."""

    def __init__(self, console: Console, to_stderr: bool = False) -> None:
        self.console = console
        self.to_stderr = to_stderr
        # A terminal closed under a person's run (SIGHUP) ends it as Ctrl-C does: what was
        # done is kept and the recording written (the default ended the process at once).
        if hasattr(signal, "SIGHUP"):
            with contextlib.suppress(ValueError):  # not the main thread: left as it was
                signal.signal(signal.SIGHUP, _hung_up)

    def prompt(self, question: Question, context: QuestionContext) -> object:
        import questionary
        from rich.cells import cell_len
        from rich.text import Text

        # A text's default is said in the hint and taken by Enter, never pre-filled into the
        # line: typed over, a pre-filled 0s read 0s90s, and auto read autoblink (found by a QA
        # walk); one that is personal data (the bank-reserved mobile) is shown masked.
        default = question.default_for(context)
        default = "" if default is None else str(default)
        kept = default if question.kind == "text" and default else ""
        kept_shown = question.shown(kept) if kept and question.shown else kept

        def validate(text: str) -> bool | str:
            if kept and text == "":
                return True
            try:
                question.parse(text, context)
            except ValueError as exc:
                said = str(exc)
                # prompt_toolkit shows it on one line below the prompt, cut at its edge: one
                # that does not fit is taken, refused below and said whole, then asked again.
                return said if cell_len(said) < self.console.width - 1 else True
            return True

        def yes_or_no(text: str) -> bool | str:
            return True if not text.strip() else validate(text)

        extra: _Output = {}
        if self.to_stderr:
            from prompt_toolkit.output import create_output

            extra["output"] = create_output(stdout=sys.stderr)
        label = question.label
        hint = _(question.help) if question.help else ""
        if kept:
            enter = _("Enter for {value}").format(value=kept_shown)
            hint = _("{hint}; {enter}").format(hint=hint, enter=enter) if hint else enter
        if hint:
            label = f"{_(question.prompt)} [{hint}] ({question.key}):"
            if cell_len(f"? {label} ") + _ROOM_TO_ANSWER > self.console.width:
                # Too wide for one line with room for the answer: the hint goes on its own
                # line above, so the question, its key and what is typed are not split.
                # Wrapped at the width, each line indented as the first (a terminal folds
                # what is wider back to the left edge).
                print_indented(self.console, Text(f"[{hint}]", style="dim"), 2)
                label = f"{_(question.prompt)} ({question.key}):"
        if cell_len(f"? {label} ") + _ROOM_TO_ANSWER > self.console.width:
            # The question alone still too wide (a narrow terminal): its words go above,
            # folded by the console as Chinese is, and the prompt keeps its key whole.
            print_indented(self.console, Text(_(question.prompt)), 2)
            label = f"({question.key}):"

        def asked() -> Any:
            """The prompt, made anew for each asking (one asked again would hold the answer
            it refused)."""
            if question.kind == "confirm":
                # Typed and ended by Enter, read as a script's answer is (是/否, 确认/取消,
                # y/n): questionary's yes/no prompt took one key, y or n, so 否 was dropped
                # and Enter confirmed the loan, and "yes" answered two questions.
                words = _(_CONFIRM_WORDS["YES_OR_NO" if question.default else "NO_OR_YES"])
                prompt = questionary.text(f"{label} {words}", validate=yes_or_no, **extra)
            elif question.kind == "select":
                prompt = questionary.select(
                    label,
                    instruction=_("(Use arrow keys)"),
                    choices=[
                        questionary.Choice(choice_title(question.key, c), value=c)
                        for c in question.choices_for(context)
                    ],
                    # A choice's default is one of its values (text); a yes/no default is a
                    # confirm's.
                    default=question.default if isinstance(question.default, str) else None,
                    **extra,
                )
            elif question.kind == "secret":
                prompt = questionary.password(label, validate=validate, **extra)
            elif question.kind == "path":
                prompt = questionary.path(label, validate=validate, **extra)
            else:
                prompt = questionary.text(
                    label, default="" if kept else default, validate=validate, **extra
                )
            return prompt

        while True:
            try:
                answer = asked().unsafe_ask()
            except EOFError:
                # Ctrl-D at an empty line: the person leaves, as with Ctrl-C (what was done
                # is kept, and the command that resumes it is said).
                raise KeyboardInterrupt from None
            if kept and answer == "":
                # The line shows no answer (nothing was typed): what Enter took, masked.
                self.console.print(Text(f"  {kept_shown}", style="dim"))
                answer = kept
            if question.kind == "confirm" and not answer.strip():
                # Enter: the default, said (the line shows nothing typed).
                answer = bool(question.default)
                word = _(_CONFIRM_WORDS["YES" if answer else "NO"])
                self.console.print(Text(f"  {word}", style="dim"))
            try:
                return question.parse(answer, context)
            except ValueError as exc:
                # Too long for the prompt's one line: said whole, wrapped, and asked again.
                self.console.print(filled(self.console, Text(str(exc), "red"), self.console.width))

    def tell(self, message: str, kind: str) -> None:
        from rich.text import Text

        styles = {"sms": "bold magenta", "warn": "yellow", "bad": "red", "good": "green"}
        if kind == "sms":
            from rich.panel import Panel

            to = getattr(message, "to", None)
            title = _("📱 new message to {phone}").format(phone=to) if to else _("📱 new message")
            # Chinese broken by cells, a closing mark never starting a line (rich put a
            # message's last "。" on a line of its own).
            said = Text(str(message))
            text = filled(self.console, said, self.console.width - 4, chinese=True)
            self.console.print(Panel(text, title=title, expand=False, border_style=styles["sms"]))
            return
        said = Text(str(message), styles.get(kind, ""))
        self.console.print(filled(self.console, said, self.console.width), highlight=False)
