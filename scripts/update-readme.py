"""Rewrite the READMEs' generated tables (answer keys, reason codes, scenarios) from the code:
README.md in English, README.zh.md in Chinese."""

from pathlib import Path

from loancli.support.reference import fill

root = Path(__file__).resolve().parents[1]
for name, lang in (("README.md", "en"), ("README.zh.md", "zh")):
    readme = root / name
    readme.write_text(fill(readme.read_text(encoding="utf-8"), lang), encoding="utf-8")
    print(f"updated {readme}")
