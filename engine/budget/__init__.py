"""Budget lines of a trip application (财行〔2013〕516号, FAO-DOMAIN §2.9, §4.4): the facts the
diagram's budget check needs, computed from the lines and the standards table's answers."""

from engine.budget.lines import ITEMS, PER_DAY_ITEMS, budget_check, budget_standard_rows

__all__ = ["ITEMS", "PER_DAY_ITEMS", "budget_check", "budget_standard_rows"]
