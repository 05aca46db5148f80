"""``python -m loancli``: the console script."""

from loancli.cli.entry import run

if __name__ == "__main__":
    run()
