"""What shell completion offers beyond commands and options: applicant and flow ids read
from the state file, built-in scenario and story names. Loaded only while a shell asks
(``_LOANCLI_COMPLETE`` set), never by ``--help``; a completion never fails, it offers less."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from loancli import api
from loancli.stories.runner import builtin_story_names

if TYPE_CHECKING:
    from typer._click import Context


def _state(ctx: Context) -> str | None:
    """The ``--db`` typed so far, else ``$LOANCLI_DB``."""
    root = ctx.find_root()
    db = root.params.get("db") if root.params else None
    return str(db) if db else os.environ.get("LOANCLI_DB") or None


def record_ids(ctx: Context, incomplete: str, flows: bool = True) -> list[str]:
    """Applicant (and flow) ids in the state file that start with ``incomplete``."""
    state = _state(ctx)
    if state is None or not os.path.isfile(state):
        return []
    try:
        ids = [str(a["id"]) for a in api.applicants(state)]
        if flows:
            ids += [str(f["id"]) for f in api.flows(state)]
    except Exception:  # a damaged or locked file completes nothing
        return []
    return [i for i in ids if i.upper().startswith(incomplete.upper())]


def scenario_names(incomplete: str) -> list[str]:
    return [s.name for s in api.scenarios() if s.name.startswith(incomplete)]


def story_names(incomplete: str) -> list[str]:
    return [n for n in builtin_story_names() if n.startswith(incomplete)]
