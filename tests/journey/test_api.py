"""The library alone, as a script uses it: a journey, 45 days later a re-instalment over 6
months and a repayment of its first installment, a phone change, the card bound again, and
the journey's bundle replayed, all through ``loancli.api``, in a fresh interpreter where no
terminal library (typer, rich, click, questionary, prompt_toolkit) is ever imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import HAPPY_PATH_FILE, ROOT, happy_answers, patience

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from loancli import api
    from loancli.stories import tickets

    folder = Path(sys.argv[1])
    answers = json.loads(sys.argv[2])
    state = folder / "state.json"
    world = api.World(state)

    done = world.apply(answers=answers)
    moved = world.advance_clock("45d")
    agreed = world.restructure(done.id, 6)
    first = next(x for x in agreed.loan["lines"] if x["status"] != "paid")
    paid = world.repay(done.id, installment=first["n"])
    change = {
        "phone": answers["phone"], "password": answers["password"],
        "new_phone": "13700137000", "identity_method": "sms",
        "old_phone_code": "auto", "new_phone_code": "auto",
    }
    changed = world.change_phone(answers=change)
    rebound = world.bind_card(answers={**answers, "phone": "13700137000",
                                       "card_phone": "13700137000"})
    tickets.bundle(state, done.id, folder / "ticket.zip")
    verdict = tickets.replay(folder / "ticket.zip")
    terminal = sorted(
        m for m in sys.modules
        if m.split(".")[0] in ("typer", "rich", "click", "questionary", "prompt_toolkit")
    )
    print(json.dumps({
        "journey": done.record["status"],
        "overdue": [e["event"] for e in moved.events if e["event"] == "installment_overdue"],
        "restructured": agreed.change["term"],
        "paid": paid.payment,
        "loan": api.loan(state, done.id)["installments"][first["n"] - 1]["status"],
        "changed": changed.record["status"],
        "rebound": rebound.record["status"],
        "reproduced": verdict.reproduced,
        "terminal": terminal,
    }))
    """
)


def test_the_library_alone_runs_the_whole_story(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    answers = happy_answers()
    assert Path(answers["id_front"]).is_absolute() and HAPPY_PATH_FILE.exists()
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), json.dumps(answers)],
        capture_output=True,
        text=True,
        env=env,
        timeout=patience(120),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["journey"] == "completed"
    assert out["overdue"], "45 days on, the first installment is overdue"
    assert out["restructured"] == 6
    assert out["paid"]["kind"] == "installment" and out["loan"] == "paid"
    assert out["changed"] == "completed" and out["rebound"] == "completed"
    assert out["reproduced"] is True
    assert out["terminal"] == []
