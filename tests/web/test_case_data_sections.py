"""The case page's data: what the forms ask for first, what the process computed folded away,
bilingual computed texts only in the page's language."""

from __future__ import annotations

from engine.queries.labels import FieldLabels, Label
from webapp import create_app
from webapp.labels import data_sections


def test_named_fields_first_computed_folded_and_one_language(db_url):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    labels = FieldLabels(fields={"delegation_name": Label("团组名称", "Delegation")})
    data = {"delegation_name": "团", "route_rule": "r1", "authority_zh": "市", "authority_en": "City"}
    with app.test_request_context("/", headers={"Cookie": "waishi_lang=en"}):
        named, computed = data_sections(labels, data)
    assert named == [("delegation_name", "团")]
    assert [k for k, _ in computed] == ["authority_en", "route_rule"]
    with app.test_request_context("/"):
        _, computed = data_sections(labels, data)
    assert [k for k, _ in computed] == ["authority_zh", "route_rule"]
