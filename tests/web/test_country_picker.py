"""The trip application as a unit clerk fills it without JavaScript: destinations picked by their
Chinese names from a plain server-rendered <select> (stored as ISO codes), and the date rules — a
departure in the past, a return before the departure, a public notice ending after the departure —
refused with the message in the user's language and nothing changed."""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from typing import Any

import pytest

from engine.scenarios.databases import REPO_ROOT
from tests.helpers import events, get_case, open_item, to_this_week

HAPPY = REPO_ROOT / "processes" / "scenarios" / "trip_staff_happy.toml"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Case data as the form's field names: `members[0].name`, `inviter.name_zh`."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, row in enumerate(value):
            out.update(_flatten(row, f"{prefix}[{i}]"))
    elif value is True:
        out[prefix] = "true"
    elif value is not False:
        out[prefix] = value
    return out


def _application(*, future: bool) -> dict[str, Any]:
    data = tomllib.loads(HAPPY.read_text(encoding="utf-8"))["steps"][0]["data"]
    return _flatten(to_this_week(data) if future else data)


@pytest.fixture
def apply_task(shipped, app, db):
    from engine.runtime.service import CaseService

    case_id = CaseService(db).start_case("clerk_commerce", "trip_staff", {})
    item = open_item(db, case_id, "ut_apply")
    return case_id, f"/cases/{case_id}/tasks/{item.task_id}"


def _submit(person, path: str, data: dict, version: int = 1):
    return person.post(path, {**data, "expected_version": str(version), "_action": "submit"})


def _country_field(page: str) -> str:
    found = re.search(r'(?s)<div class="field" data-field="itinerary\[0\]\.country">.*?</div>', page)
    assert found, "no country field"
    return found.group(0)


def test_the_country_is_a_select_of_chinese_names_without_javascript(apply_task, make_web):
    _, path = apply_task
    field = _country_field(make_web("clerk_commerce").get(path).get_data(as_text=True))
    assert '<label for="f-itinerary[0].country">国家（地区）' in field and "代码<" not in field
    assert '<select id="f-itinerary[0].country" name="itinerary[0].country"' in field
    assert 'data-typeahead="输入中文名、拼音或代码筛选"' in field
    assert re.search(r'<optgroup label="常用"><option value="HK"[^>]*>中国香港</option>', field)
    assert re.search(r'<option value="DE" data-keywords="de germany deguo dg">德国</option>', field)
    assert '<optgroup label="欧洲">' in field and '<option value="TW"' in field and 'value="CN"' not in field

    english = _country_field(make_web("clerk_commerce").english().get(path).get_data(as_text=True))
    assert '<optgroup label="Frequent">' in english and ">Germany</option>" in english
    assert ">Taiwan, China</option>" in english


def test_an_application_with_a_past_departure_is_refused_and_then_accepted(apply_task, make_web, db):
    case_id, path = apply_task
    clerk = make_web("clerk_commerce")
    before = len(events(db, case_id))

    past = _submit(clerk, path, _application(future=False))
    assert past.status_code == 422
    assert "“出境日期”不能早于今天" in past.get_data(as_text=True)
    assert len(events(db, case_id)) == before and open_item(db, case_id, "ut_apply").version == 1
    english = _submit(make_web("clerk_commerce").english(), path, _application(future=False))
    assert "&#39;Departure (exit) date&#39; cannot be in the past" in english.get_data(as_text=True)

    response = _submit(clerk, path, _application(future=True))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    data = get_case(db, case_id).data
    assert [stop["country"] for stop in data["itinerary"]] == ["DE"]
    assert open_item(db, case_id, "ut_head_sign")


@pytest.mark.parametrize(("change", "zh", "en"), [
    ({"return_date": "departure_date"}, "“入境日期”不能早于“出境日期”",
     "&#39;Return (entry) date&#39; cannot be earlier than &#39;Departure (exit) date&#39;"),
    ({"public_notice_end": "return_date"}, "“出境日期”不能早于“事前公示结束日期”",
     "&#39;Departure (exit) date&#39; cannot be earlier than &#39;Pre-trip public notice until&#39;"),
    ({"itinerary[0].country": "XX"}, "的取值不在可选范围内", "the value is not one of the options"),
])
def test_dates_out_of_order_and_unknown_countries_are_refused(apply_task, make_web, db, change, zh, en):
    case_id, path = apply_task
    data = _application(future=True)
    for key, value in change.items():
        # a date moved past another: the return a day before the departure, the notice ending after the return
        if value == "departure_date":
            data[key] = (date.fromisoformat(data[value]) - timedelta(days=1)).isoformat()
        elif value == "return_date":
            data[key] = data[value]
        else:
            data[key] = value
    refused = _submit(make_web("clerk_commerce"), path, data)
    assert refused.status_code == 422 and zh in refused.get_data(as_text=True)
    assert en in _submit(make_web("clerk_commerce").english(), path, data).get_data(as_text=True)
    assert open_item(db, case_id, "ut_apply").version == 1 and get_case(db, case_id).data.get("itinerary") is None
