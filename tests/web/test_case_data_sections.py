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


def test_a_text_and_its_english_copy_and_the_zh_en_of_reasons(db_url):
    """`x` (Chinese) with `x_en`, and the `zh` / `en` of a reason inside a list, show once, in the
    page's language; a form field with an English copy is hidden the same way."""
    from webapp.labels import columns, shown_keys

    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    labels = FieldLabels(fields={"person_history_text": Label("记录", "History"),
                                 "person_history_text_en": Label("记录（英文）", "History")})
    data = {"person_history_text": "张伟：无", "person_history_text_en": "no trips", "check_text": "无",
            "check_text_en": "none", "note_en": "only English"}
    reasons = [{"code": "days", "zh": "超天", "en": "Too many days", "source": "[S2]"}]
    with app.test_request_context("/"):
        named, computed = data_sections(labels, data)
        assert [k for k, _ in named] == ["person_history_text"]
        assert [k for k, _ in computed] == ["check_text", "note_en"]
        assert columns(reasons) == ["code", "zh", "source"]
        assert shown_keys(reasons[0]) == ["code", "source", "zh"]
    with app.test_request_context("/", headers={"Cookie": "waishi_lang=en"}):
        named, computed = data_sections(labels, data)
        assert [k for k, _ in named] == ["person_history_text_en"]
        assert [k for k, _ in computed] == ["check_text_en", "note_en"]
        assert columns(reasons) == ["code", "en", "source"]


def test_the_case_page_shows_reasons_and_codes_by_their_names(db, make_web):
    """A trip_staff case over the size limit: in Chinese the reason's code shows its name and no
    English copy of the texts appears; in English the other way round."""
    from engine.scenarios import default_definitions, deploy_definitions, load_scenario, run_scenario
    from tests.conftest import TESTS
    from tests.web.conftest import text_of

    deploy_definitions(db, default_definitions())
    path = TESTS.parent / "processes" / "scenarios" / "trip_staff_over_limit_size.toml"
    result = run_scenario(load_scenario(path), db)
    assert result.ok, result.report("en")
    web = make_web("fao_director")
    zh = text_of(web.get(f"/cases/{result.case_id}").get_data(as_text=True))
    assert "团组人数超限" in zh and "团组人数超过6人" in zh and "依据" in zh
    assert "Delegation larger than 6 persons" not in zh and "delegation_size" not in zh
    assert "official_ordinary" not in zh and "（official）" not in zh
    web.client.set_cookie("waishi_lang", "en")
    en = text_of(web.get(f"/cases/{result.case_id}").get_data(as_text=True))
    assert "Delegation too large" in en and "Delegation larger than 6 persons" in en and "Source" in en
    assert "团组人数超过6人" not in en
