"""The trip application's destination picker in Chromium: with JavaScript off it is the plain
server-rendered select (chosen by its Chinese name, stored as the ISO code); with JavaScript on,
typing pinyin initials, a Chinese name or an English name narrows it to the matching countries."""

from __future__ import annotations

from tests.browser.conftest import TASK_DONE, fill_form, flash_texts, scenario_step, start_case, submit_task

HAPPY = "trip_staff_happy"
PICKER = 'select[name="itinerary[0].country"]'


def test_without_javascript_the_clerk_picks_germany_by_name(live_server, sign_in):
    clerk = sign_in("clerk_commerce", java_script_enabled=False)
    case_id = start_case(clerk, "trip_staff")
    assert clerk.locator("input.typeahead").count() == 0  # nothing but the select
    application = scenario_step(HAPPY, 0, to_today=True)
    fill_form(clerk, {k: v for k, v in application.items() if k != "itinerary"})
    clerk.select_option(PICKER, label="德国")
    clerk.fill('input[name="itinerary[0].days"]', "5")
    submit_task(clerk)
    assert TASK_DONE in flash_texts(clerk)
    assert [stop["country"] for stop in live_server.case(case_id).data["itinerary"]] == ["DE"]
    assert live_server.open_items(case_id) == ["ut_head_sign"]


def test_with_javascript_typing_narrows_the_list(live_server, sign_in):
    clerk = sign_in("clerk_commerce")
    start_case(clerk, "trip_staff")
    search = clerk.locator('input.typeahead[data-typeahead-for="f-itinerary[0].country"]')
    assert search.get_attribute("placeholder") == "输入中文名、拼音或代码筛选"

    def visible() -> list[str]:
        return clerk.eval_on_selector(PICKER, "s => Array.from(s.options).filter(o => o.value && !o.hidden)"
                                              ".map(o => o.value)")

    search.fill("dg")
    assert "DE" in visible() and "FR" not in visible() and len(visible()) < 10
    assert clerk.eval_on_selector(PICKER, "s => s.value") == visible()[0]
    search.fill("日本")
    assert visible() == ["JP"]
    search.fill("switzerland")
    assert visible() == ["CH"]
    search.press("Enter")  # keeps the match, clears the filter, does not submit the form
    assert clerk.eval_on_selector(PICKER, "s => s.value") == "CH" and len(visible()) > 200
    assert "/tasks/" in clerk.url
