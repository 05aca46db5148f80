"""Rewrite the README's generated tables (answer keys, reason codes, scenarios) from the code."""

from pathlib import Path

from loancli.support.reference import fill

readme = Path(__file__).resolve().parents[1] / "README.md"
readme.write_text(fill(readme.read_text(encoding="utf-8")), encoding="utf-8")
print(f"updated {readme}")
