from __future__ import annotations

import importlib.metadata

from conftest import run_cli

import loancli


def test_version_prints_the_package_version_and_touches_no_state(tmp_path):
    code, out, _ = run_cli(tmp_path, "--version")
    assert code == 0
    assert out.strip() == f"loancli {loancli.__version__}"
    assert loancli.__version__ == importlib.metadata.version("loancli")
    assert not (tmp_path / "state.json").exists()
