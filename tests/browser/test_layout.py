"""Layout and keyboard: the inbox and a task page at a phone's 390 pixels (nothing wider than the
screen, the controls that matter on screen), a task form filled and submitted with the keyboard
alone, and the README's screenshots: docs/screenshots/inbox.png (desktop) and inbox-mobile.png."""

from __future__ import annotations

from tests.browser.conftest import TASK_DONE, flash_texts, save_screenshot, scenario_step

HAPPY = "trip_staff_happy"
INVITATION = "invitation_official_city_completed"
PHONE = {"width": 390, "height": 844}


def waiting_for_fao_clerk(engine) -> list[int]:
    """A few cases in the FAO clerk's inbox: two trips (two units) and an invitation."""
    cases = []
    for clerk, head in (("clerk_commerce", "head_commerce"), ("clerk_education", "head_education")):
        case_id = engine.start("trip_staff", clerk)
        engine.complete(case_id, "ut_apply", clerk, scenario_step(HAPPY, 0))
        engine.complete(case_id, "ut_head_sign", head, scenario_step(HAPPY, 1))
        cases.append(case_id)
    case_id = engine.start("invitation_official", "clerk_commerce")
    engine.complete(case_id, "ut_apply", "clerk_commerce", scenario_step(INVITATION, 0, to_today=True))
    engine.complete(case_id, "ut_head_review", "head_commerce", scenario_step(INVITATION, 1, to_today=True))
    cases.append(case_id)
    return cases


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def assert_on_screen(page, locator, width: int = PHONE["width"]) -> None:
    """Visible, and within the screen's width once scrolled to."""
    assert locator.is_visible(), locator
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (locator, box)


def test_inbox_and_task_page_fit_a_390_pixel_phone(live_server, engine, sign_in):
    cases = waiting_for_fao_clerk(engine)
    phone = sign_in("fao_clerk", viewport=PHONE, is_mobile=True, has_touch=True)

    phone.goto("/?tab=claimable")
    assert page_width(phone) <= PHONE["width"], f"the inbox scrolls sideways: {page_width(phone)} px"
    rows = phone.locator('table[data-testid="inbox-claimable"] tbody tr')
    assert rows.count() == len(cases)
    for locator in (phone.locator("nav.main-nav a").first, phone.locator("nav.tabs a").first,
                    phone.get_by_role("button", name="English"), phone.get_by_role("button", name="退出"),
                    rows.first.locator('a[href*="/tasks/"]'), rows.first.get_by_role("button", name="认领"),
                    phone.get_by_role("button", name="筛选")):
        assert_on_screen(phone, locator)
    save_screenshot(phone, "inbox-mobile")

    with phone.expect_navigation():
        rows.first.locator('a[href*="/tasks/"]').click()
    assert page_width(phone) <= PHONE["width"], f"the task page scrolls sideways: {page_width(phone)} px"
    form = phone.locator('form[data-testid="task-form"]')
    for locator in (phone.locator("h1"), form.locator('input[name="decision"]').first,
                    form.locator('textarea[name="comment"]'), form.locator('input[name="materials_received"]').first,
                    form.get_by_role("button", name="提交", exact=True), form.get_by_role("button", name="暂存")):
        assert_on_screen(phone, locator)

    # English words are longer: the same two pages in English still fit
    task_url = phone.url
    with phone.expect_navigation():
        phone.get_by_role("button", name="English").tap()
    for url in ("/?tab=claimable", task_url):
        phone.goto(url)
        assert phone.locator("html").get_attribute("lang") == "en"
        assert page_width(phone) <= PHONE["width"], f"{url} in English scrolls sideways: {page_width(phone)} px"
    with phone.expect_navigation():
        phone.get_by_role("button", name="中文").tap()

    # and it works there: tap through the FAO clerk's check and submit
    data = scenario_step(HAPPY, 2)
    for value in data["materials_received"]:
        form.locator(f'input[name="materials_received"][value="{value}"]').tap()
    form.locator(f'input[name="decision"][value="{data["decision"]}"]').tap()
    form.locator('textarea[name="comment"]').fill(data["comment"])
    with phone.expect_navigation():
        form.get_by_role("button", name="提交", exact=True).tap()
    assert TASK_DONE in flash_texts(phone)


def test_desktop_inbox_screenshot(live_server, engine, sign_in):
    cases = waiting_for_fao_clerk(engine)
    page = sign_in("fao_clerk")
    page.goto("/?tab=claimable")
    assert page.locator("tbody tr").count() == len(cases)
    assert page_width(page) <= 1280
    save_screenshot(page, "inbox")


def test_a_task_form_is_filled_and_submitted_with_the_keyboard_alone(live_server, engine, sign_in):
    case_id = engine.start("trip_staff", "clerk_commerce")
    engine.complete(case_id, "ut_apply", "clerk_commerce", scenario_step(HAPPY, 0))
    page = sign_in("head_commerce")
    page.goto(live_server.task_url(case_id, "ut_head_sign"))
    keys = page.keyboard
    approval = scenario_step(HAPPY, 1)

    def focused() -> dict:
        return page.evaluate("""() => { const e = document.activeElement;
            return {tag: e.tagName.toLowerCase(), name: e.name || '', value: e.value || '', text: e.innerText || '',
                    outline: getComputedStyle(e).outlineStyle}; }""")

    def tab_to(match, limit: int = 80) -> dict:
        for _ in range(limit):
            keys.press("Tab")
            now = focused()
            if match(now):
                return now
        raise AssertionError(f"Tab never reached the control; last: {focused()}")

    keys.press("Tab")
    assert focused()["text"] == "跳到正文"  # the first stop: skip to the content
    # The decision: Tab reaches the radio group; Space chooses the focused option, arrows move.
    tab_to(lambda f: f["name"] == "decision")
    while focused()["value"] != approval["decision"]:
        keys.press("ArrowDown")
    keys.press("Space")
    tab_to(lambda f: f["name"] == "comment")
    keys.type(approval["comment"])
    submit = tab_to(lambda f: f["tag"] == "button" and f["text"].strip() == "提交")
    assert submit["outline"] != "none", "the focused Submit button shows no focus ring"
    with page.expect_navigation():
        keys.press("Enter")
    assert TASK_DONE in flash_texts(page)
    assert live_server.open_items(case_id) == ["ut_fao_check"]
    submitted = live_server.case(case_id).data
    assert submitted["head_decision"] == approval["decision"] and submitted["head_comment"] == approval["comment"]
