"""``python -m loancli``: the console script."""

from loancli.cli.entry import run

run()
