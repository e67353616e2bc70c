"""Translations of the per-person rules (issue 11, part) for scripts/fill-catalogs.py: the labels
of the person-rule switches on the settings page (webapp/labels.py). The rule texts themselves are
bilingual in processes/trip_person_limits.dmn and the forms' `label_en`; engine messages are
bilingual in the code."""

ZH: dict[str, str] = {
    "Person rule on: county-level staff at most 1 trip in 2 years [U]": "启用人员规则：处级干部两年内出访不超过1次 [U]",
    "Person rule on: same-unit leaders to the same country within 6 months [U]": "启用人员规则：同单位领导6个月内不赴同一国家 [U]",
    "Person rule on: at most 2 municipal leaders abroad at once [U]": "启用人员规则：同时在外市领导不超过2人 [U]",
}
