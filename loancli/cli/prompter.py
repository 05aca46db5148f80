"""The person at the terminal: questionary prompts that validate like the app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loancli.questions import Question


class QuestionaryPrompter:
    """Asks a person at a terminal with questionary; validates and re-asks with the reason."""

    def __init__(self, console: Any, to_stderr: bool = False) -> None:
        self.console = console
        self.to_stderr = to_stderr

    def prompt(self, question: Question, context: Mapping[str, Any]) -> Any:
        import questionary

        def validate(text: str) -> bool | str:
            try:
                question.parse(text, context)
            except ValueError as exc:
                return str(exc)
            return True

        extra: dict[str, Any] = {}
        if self.to_stderr:
            import sys

            from prompt_toolkit.output import create_output

            extra["output"] = create_output(stdout=sys.stderr)
        label = question.label
        if question.help:
            label = f"{question.prompt} [{question.help}] ({question.key}):"
        if question.kind == "confirm":
            prompt = questionary.confirm(label, default=bool(question.default), **extra)
        elif question.kind == "select":
            prompt = questionary.select(
                label,
                choices=list(question.choices_for(context)),
                default=question.default,
                **extra,
            )
        elif question.kind == "secret":
            prompt = questionary.password(label, validate=validate, **extra)
        elif question.kind == "path":
            prompt = questionary.path(label, validate=validate, **extra)
        else:
            default = question.default_for(context)
            default = "" if default is None else str(default)
            prompt = questionary.text(label, default=default, validate=validate, **extra)
        answer = prompt.unsafe_ask()
        return question.parse(answer, context)

    def tell(self, message: str, kind: str) -> None:
        styles = {"sms": "bold magenta", "warn": "yellow", "bad": "red", "good": "green"}
        if kind == "sms":
            from rich.panel import Panel

            self.console.print(
                Panel(message, title="📱 new message", expand=False, border_style=styles["sms"])
            )
            return
        self.console.print(message, style=styles.get(kind, ""), highlight=False)
