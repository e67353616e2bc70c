"""Fill the English label (`label_en`) of every form option that has none: from the table below,
else from another form that labels the same field's value. Run after adding options:

    .venv/bin/python scripts/i18n/form_options.py

tests/test_computed_labels.py fails while a coded value a process stores has no label in both
languages. The forms keep the text (not a catalog): an analyst edits it in the form editor."""

from __future__ import annotations

import json
import sys
from pathlib import Path

FORMS = Path(__file__).resolve().parents[2] / "forms"

# (field key, value) -> English
EN: dict[tuple[str, str], str] = {
    ("activity_type", "emergency_relief"): "Emergency relief (exempt from the 15 days)",
    ("activity_type", "general"): "Ordinary temporary activity",
    ("consultation_opinion", "no_objection"): "No objection",
    ("consultation_opinion", "with_advice"): "Advice given (see the note)",
    ("cost_bearer", "invitee"): "Paid by the invitee",
    ("cost_bearer", "inviter"): "Paid by the inviting unit",
    ("cost_bearer", "shared"): "Shared (see the note)",
    ("entries", "double"): "Double entry",
    ("entries", "multiple"): "Multiple entries",
    ("entries", "single"): "Single entry",
    ("entry_result", "entered"): "Entered China",
    ("entry_result", "no_show"): "Did not enter (visit cancelled)",
    ("filing_result", "filed"): "Filed",
    ("filing_result", "withdrawn"): "Activity withdrawn",
    ("forward_channel", "confidential"): "Confidential channel",
    ("forward_channel", "document_exchange"): "Official document exchange",
    ("forward_channel", "e_government"): "E-government system",
    ("forward_channel", "hand_delivery"): "Delivered by hand",
    ("guest_rank", "diplomat_in_china"): "Foreign diplomat in China",
    ("guest_rank", "head_of_state_former"): "Former head of state or government",
    ("guest_rank", "journalist"): "Foreign journalist",
    ("guest_rank", "minister"): "Serving minister or above",
    ("guest_rank", "other"): "Other foreigners (business, experts…)",
    ("guest_rank", "prefectural"): "Foreign mayor (prefectural level)",
    ("guest_rank", "prefectural_deputy"): "Foreign deputy mayor (deputy prefectural level)",
    ("guest_rank", "provincial"): "Foreign governor (provincial level)",
    ("guest_rank", "provincial_deputy"): "Foreign deputy governor",
    ("guest_rank", "vice_minister"): "Vice minister, senior parliamentarian or former minister",
    ("interview_held", "held"): "Held",
    ("interview_held", "not_held"): "Not held",
    ("interviewee_consent", "consent"): "Agrees to the interview",
    ("interviewee_consent", "decline"): "Declines the interview",
    ("interviewee_kind", "official"): "Government official",
    ("interviewee_kind", "person"): "Private person",
    ("interviewee_kind", "unit"): "Unit (agency, company, school…)",
    ("journalist_category", "resident"): "Resident correspondent (over 6 months in China)",
    ("journalist_category", "short_term"): "Short-term reporter (6 months or less)",
    ("partner_level", "county_district"): "District, county or town",
    ("partner_level", "major_city"): "Large or open city",
    ("partner_level", "prefectural_city"): "Prefecture-level city",
    ("partner_level", "provincial_capital"): "Capital of a country, province or state",
    ("partner_unit_type", "company"): "Company",
    ("partner_unit_type", "people_org"): "People's organisation",
    ("partner_unit_type", "public_institution"): "Public institution",
    ("partner_unit_type", "social_org"): "Social organisation",
    ("partner_unit_type", "state_organ"): "State organ",
    ("passport_type", "ordinary"): "Ordinary passport",
    ("passport_type", "service"): "Service passport",
    ("relationship_kind", "friendship_exchange"): "Friendship-exchange city",
    ("relationship_kind", "sister_city"): "Sister city (formal twinning)",
    ("signoff_signer", "mayor"): "Mayor (head of the municipal government)",
    ("signoff_signer", "other_leader"): "Another city leader (by delegation)",
    ("signoff_signer", "party_secretary"): "Party secretary (head of the municipal Party committee)",
    ("visa_notice_channel", "cable"): "Cable (confidential telegram)",
    ("visa_notice_channel", "letter"): "Letter",
    ("visa_notice_channel", "system"): "MFA invitation-letter system",
    ("visa_result", "issued"): "Issued",
    ("visa_result", "not_applied"): "Not applied for (visit cancelled)",
    ("visa_result", "refused"): "Refused",
    ("visa_type", "F"): "F visa (exchanges, visits, study tours)",
    ("visa_type", "J2"): "J-2 visa (short-term journalist)",
    ("visa_type", "M"): "M visa (business and trade)",
    ("visa_type", "Z"): "Z visa (work)",
    ("visa_type", "courtesy"): "Courtesy visa",
    ("visa_type", "diplomatic"): "Diplomatic visa",
    ("visa_type", "official"): "Official visa",
}


def _options(components, found):
    for comp in components or []:
        if isinstance(comp, dict):
            if isinstance(comp.get("values"), list) and comp.get("key"):
                found.extend((comp["key"], v) for v in comp["values"] if isinstance(v, dict))
            _options(comp.get("components"), found)


def main() -> int:
    schemas = {p: json.loads(p.read_text(encoding="utf-8")) for p in sorted(FORMS.glob("*.form"))}
    known = dict(EN)
    for schema in schemas.values():
        found: list = []
        _options(schema.get("components"), found)
        for key, option in found:
            if option.get("label_en"):
                known.setdefault((key, str(option["value"])), option["label_en"])
    missing = []
    for path, schema in schemas.items():
        found = []
        _options(schema.get("components"), found)
        changed = False
        for key, option in found:
            if option.get("label_en"):
                continue
            en = known.get((key, str(option["value"])))
            if en is None:
                missing.append(f"{path.name}: {key}={option['value']} [{option.get('label')}]")
                continue
            option["label_en"] = en
            changed = True
        if changed:
            path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for line in missing:
        print("no English label:", line, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
