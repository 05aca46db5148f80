"""An output option never writes over the world it reads: ``--out``, ``--ics``, ``--bundle``,
``--html``, ``--record`` and ``--junit`` naming the state file, one of its side files or a
link to it are refused before anything runs (exit 2 naming the option), and the state file is
left byte for byte as it was. Once, ``report A0001 --out STATE`` replaced the world with a
report, and a refused journey's ``--record STATE`` with an empty recording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

WRITERS = [
    ("--out", ("report", "A0001", "--out")),
    ("--bundle", ("report", "A0001", "--bundle")),
    ("--html", ("report", "A0001", "--html")),
    ("--ics", ("calendar", "A0001", "--ics")),
    ("--out", ("story", "from", "A0001", "--out")),
    ("--junit", ("check", "--no-builtin", "--junit")),
    (
        "--record",
        (
            "--no-input",
            "apply",
            "--answers",
            "happy-path",
            "--set",
            "phone=13800138006",
            "--record",
        ),
    ),
]


@pytest.fixture(scope="module", params=["json", "sqlite"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp(f"world-{request.param}")
    db = folder / f"state.{request.param}"
    code, out, err = run_cli(folder, "--no-input", "apply", "--answers", "happy-path", db=db)
    assert code == 0, out + err
    (folder / "link").symlink_to(db.name)
    return db


@pytest.mark.parametrize(("option", "command"), WRITERS, ids=[w[1][0] + w[0] for w in WRITERS])
@pytest.mark.parametrize("name", ["itself", "link", "lock"])
def test_an_output_naming_the_state_file_is_refused(
    world: Path, option: str, command: tuple[str, ...], name: str
) -> None:
    target = {"itself": world, "link": world.parent / "link", "lock": Path(f"{world}.lock")}[name]
    before = world.read_bytes()
    code, out, err = run_cli(world.parent, "--json", *command, str(target), db=world)
    assert code == 2, out + err
    error = json.loads(out)["error"]
    assert error["key"] == option
    assert "state file" in error["message"]
    assert world.read_bytes() == before
    assert not Path(f"{world}.lock").exists() or name != "lock"


def test_another_file_beside_it_is_written(world: Path) -> None:
    out_file = world.parent / "report.md"
    code, out, err = run_cli(world.parent, "report", "A0001", "--out", str(out_file), db=world)
    assert code == 0, out + err
    assert "A0001" in out_file.read_text(encoding="utf-8")
