"""Placeholder: filled in by the account-security work (issue 5)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
