"""A phone change whose account changed its number under it, between its login and its
change (another person's change, on a server where each step is a transaction of its own):
it stops with a reason, where it ended in an AssertionError and a traceback (exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FIXTURES, HAPPY_PATH_FILE, load_yaml

from loancli import api
from loancli.journey.account_flows import LINKED_TABLES
from loancli.questions import Question
from loancli.records import ACCOUNTS
from loancli.store import Store


class NumberChangedWhileAsked:
    """A person typing the new number's code while another change of the account's number
    goes through; every other question takes its default."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def prompt(self, question: Question, context: Any) -> Any:
        if question.key == "new_phone_code":
            with Store(self.db) as other, other.transaction():
                # As a change moves them: the account with its former number, what follows it.
                (account,) = other.all(ACCOUNTS)
                had = {"phone": "13800138000", "until": "2026-03-02T10:00:00+08:00", "flow": "F9"}
                other.update(
                    ACCOUNTS,
                    {
                        "phone": "13600136000",
                        "phone_history": [*account.get("phone_history", []), had],
                    },
                    phone="13800138000",
                )
                for table in LINKED_TABLES:
                    other.update(table, {"phone": "13600136000"}, phone="13800138000")
            return question.parse("auto", context)  # the code the SMS brought
        return question.parse(question.default_for(context), context)

    def tell(self, message: str, kind: str) -> None:
        pass


def test_a_phone_change_whose_number_changed_under_it_stops_with_a_reason(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.json"
    assert api.apply(str(db), answers=HAPPY_PATH_FILE).record["status"] == "completed"
    answers = load_yaml((FIXTURES / "answers" / "change-phone.yaml").read_text("utf-8"))
    done = api.change_phone(
        str(db), answers={k: v for k, v in answers.items() if k != "new_phone_code"},
        prompter=NumberChangedWhileAsked(db),
    )  # fmt: skip
    record = done.record
    assert (record["status"], record["reason"]) == ("stopped", "phone_changed_meanwhile"), record
    with Store(db, read_only=True) as store:
        (account,) = store.all(ACCOUNTS)
    # The other change stands; this one moved nothing.
    assert account["phone"] == "13600136000"
