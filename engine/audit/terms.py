"""Search terms held inside a case's data: people (members, invitees, contacts) by name and by ID
card or passport number, destination countries, and document numbers. A command rewrites a case's
`case_terms` rows only when these change, so the auditor's search stays an indexed query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MAX_TERM = 200
PERSON_FIELDS = ("name", "name_zh", "name_foreign")
ID_FIELDS = ("id_card_no", "passport_no", "passport_number")
PERSON_KEYS = ("contact_name", "applicant_name")
DOCUMENT_KEYS = ("batch_number", "visa_notice_number", "invitation_letter_number")
COUNTRY_LISTS = ("itinerary",)

Term = tuple[str, str]  # (kind, normalised term)


def normalise(value: Any) -> str:
    """How terms are stored and searched: trimmed, inner white space folded, case-folded."""
    return " ".join(str(value).split()).casefold()[:MAX_TERM]


def terms_of(data: dict[str, Any]) -> frozenset[Term]:
    out: set[Term] = set()
    for key, value in data.items():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    _row_terms(row, out, countries=key in COUNTRY_LISTS)
        elif isinstance(value, str) and value.strip():
            if key in PERSON_KEYS:
                out.add(("person", normalise(value)))
            elif key in DOCUMENT_KEYS or key.endswith("_letter_number"):
                out.add(("document", normalise(value)))
        elif isinstance(value, dict) and key == "visa_apply_at" and isinstance(value.get("country"), str):
            out.add(("country", normalise(value["country"])))
    return frozenset(t for t in out if t[1])


def _row_terms(row: dict[str, Any], out: set[Term], *, countries: bool) -> None:
    for field in PERSON_FIELDS:
        if isinstance(row.get(field), str) and row[field].strip():
            out.add(("person", normalise(row[field])))
    for field in ID_FIELDS:
        if isinstance(row.get(field), str) and row[field].strip():
            out.add(("id_number", normalise(row[field])))
    if countries and isinstance(row.get("country"), str) and row["country"].strip():
        out.add(("country", normalise(row["country"])))


def rows(case_id: int, terms: Iterable[Term]) -> list[dict[str, Any]]:
    return [{"case_id": case_id, "kind": kind, "term": term} for kind, term in sorted(terms)]
