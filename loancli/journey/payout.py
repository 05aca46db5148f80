"""Paying a loan out, as the journey's disbursement and a checkout's plan both do it."""

from __future__ import annotations

from collections.abc import Mapping

from loancli.records import Loan

# The product a loan is booked under unless its maker names another (loan/servicing.new_loan).
DEFAULT_PRODUCT = "cash_loan"


def product_of(loan: Loan) -> str:
    """The product a loan was booked under (a field the loan carries beyond its type)."""
    fields: Mapping[str, object] = loan
    product = fields.get("product")
    return product if isinstance(product, str) else DEFAULT_PRODUCT
