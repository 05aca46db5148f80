"""Fake credit bureau (征信中心): how it answers a borrower's objection to an entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from loancli.validation import Range

# 征信业管理条例 art. 25: an objection is answered within 20 days.
MAX_ANSWER_DAYS = 20


@dataclass
class BureauSettings:
    # Days from an objection to its answer (at most 20, art. 25; the default is the limit).
    objection_answer_days: Annotated[int, Range(1, MAX_ANSWER_DAYS)] = MAX_ANSWER_DAYS
    # The answer: the entry is accurate and kept, or the lender corrects it (it is deleted).
    objection_outcome: Literal["kept", "corrected"] = "kept"
