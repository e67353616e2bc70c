"""Translations of the forms-a-clerk-can-fill work (issue 11) for scripts/fill-catalogs.py: the
country pickers' search box (webapp/templates/tasks/_fields.html, webapp/static/js/typeahead.js).
Country names themselves come from CLDR (engine/places), not from the catalogs."""

ZH: dict[str, str] = {
    "Type a name, pinyin or code to filter": "输入中文名、拼音或代码筛选",
}
