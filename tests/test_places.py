"""Countries and regions as form choices (engine/places): names from CLDR, Hong Kong, Macao and
Taiwan as regions of China, groups and pinyin order, and the server refusing a code that is not
offered — through the real forms the processes use."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine.errors import InvalidInput
from engine.forms.parse import parse_form
from engine.forms.validate import validate_submission
from engine.places import names
from engine.places.options import COUNTRY_OPTIONS, NATIONALITY_OPTIONS, territory_options
from tests.conftest import TESTS

FORMS = TESTS.parent / "forms"


def _form(name: str):
    return parse_form(json.loads((FORMS / f"{name}.form").read_text(encoding="utf-8")))


def _by_code(include_china: bool) -> dict[str, dict]:
    return {o["value"]: o for o in territory_options(include_china)}


def test_regions_of_china_are_named_as_regions_never_as_countries():
    options = _by_code(False)
    assert [options[c]["label"] for c in ("HK", "MO", "TW")] == ["中国香港", "中国澳门", "中国台湾"]
    assert [options[c]["label_en"] for c in ("HK", "MO", "TW")] == ["Hong Kong, China", "Macao, China",
                                                                   "Taiwan, China"]
    assert names.name("TW", "zh") == "中国台湾" and names.name("HK", "en") == "Hong Kong, China"


def test_destinations_leave_out_china_and_what_is_no_country():
    destinations, nationalities = _by_code(False), _by_code(True)
    assert "CN" not in destinations and nationalities["CN"]["label"] == "中国"
    for code in ("EU", "UN", "ZZ", "XA", "XK", "EZ", "IC"):
        assert code not in nationalities, code
    assert len(destinations) == len(nationalities) - 1 > 240


def test_frequent_destinations_first_then_by_continent_in_pinyin_order():
    options = territory_options(False)
    assert options[0]["group"] == "常用" and options[0]["group_en"] == "Frequent"
    groups = list(dict.fromkeys(o["group"] for o in options))
    assert groups == ["常用", "亚洲", "欧洲", "美洲", "非洲", "大洋洲", "南极洲"]
    europe = [o["label"] for o in options if o["group"] == "欧洲"]
    # 阿尔巴尼亚 (a…) before 爱尔兰 (ai…) before 奥地利 (ao…) … before 瑞士 (rui…) before 西班牙 (xi…)
    assert europe.index("阿尔巴尼亚") < europe.index("爱尔兰") < europe.index("奥地利") < europe.index("瑞士")
    assert europe[0] == "阿尔巴尼亚" and "德国" not in europe  # Germany is among the frequent ones


def test_every_option_can_be_found_by_code_english_name_and_pinyin():
    germany = _by_code(False)["DE"]
    assert germany["label"] == "德国" and germany["label_en"] == "Germany"
    assert set(germany["keywords"].split()) >= {"de", "germany", "deguo", "dg"}


def test_the_apply_form_takes_a_country_as_its_code_and_refuses_a_made_up_one():
    form = _form("trip_staff_apply")
    country = next(f for f in form.walk() if f.key == "country")
    assert country.type == "select" and country.options_key == COUNTRY_OPTIONS
    offered = {o.value: o.label for o in country.options_in({})}
    assert offered["DE"] == "德国" and offered["HK"] == "中国香港"

    nationality = next(f for f in _form("invitation_official_apply").walk() if f.key == "nationality")
    assert nationality.options_key == NATIONALITY_OPTIONS and "CN" in {o.value for o in nationality.options_in({})}

    for bad in ("XX", "de", "德国", "CN"):
        with pytest.raises(InvalidInput) as refused:
            validate_submission(form, {"itinerary": [{"country": bad, "days": 3}]}, today=date(2026, 3, 2))
        assert "itinerary[0].country" in refused.value.field_errors, bad
        message = refused.value.field_errors["itinerary[0].country"]
        assert "不在可选范围内" in message.zh and "not one of the options" in message.en


@pytest.mark.parametrize("form_name", sorted(p.stem for p in FORMS.glob("*.form")))
def test_no_form_asks_for_an_iso_code_any_more(form_name):
    text = (FORMS / f"{form_name}.form").read_text(encoding="utf-8")
    assert "^[A-Z]{2}$" not in text and "两位" not in text and "alpha-2" not in text
    for field in _form(form_name).walk():
        if field.key in ("country", "nationality", "ngo_country", "partner_country", "journalist_nationality"):
            assert field.type == "select" and field.options_key in (COUNTRY_OPTIONS, NATIONALITY_OPTIONS), field.id
