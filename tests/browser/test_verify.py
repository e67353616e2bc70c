"""The QR code on an issued 任务批件 leads to the public verification page, which — without
signing in — confirms the genuine PDF and flags an altered copy."""

from __future__ import annotations

import hashlib

from tests.browser.conftest import act, scenario_step
from tests.documents_support import qr_codes

HAPPY = "trip_staff_happy"
APPROVALS = [("ut_apply", "clerk_commerce"), ("ut_head_sign", "head_commerce"), ("ut_fao_check", "fao_clerk"),
             ("ut_section_chief", "section_chief"), ("ut_director", "fao_director")]


def test_the_qr_page_confirms_the_genuine_pdf_and_flags_an_altered_one(live_server, engine, sign_in, tmp_path):
    case_id = engine.start("trip_staff", "clerk_commerce")
    for i, (task, username) in enumerate(APPROVALS):
        engine.complete(case_id, task, username, scenario_step(HAPPY, i))
    act(sign_in("leader"), case_id, "分管外事市领导审批", scenario_step(HAPPY, 5))  # issues the 批件
    number = live_server.case(case_id).data["batch_number"]

    clerk = sign_in("clerk_commerce")
    clerk.goto(f"/cases/{case_id}")
    with clerk.expect_download() as info:  # the first link is the 批件's (the 备案表 follow it)
        clerk.locator('table[data-testid="documents"]').get_by_role("link", name="下载 PDF").first.click()
    genuine = tmp_path / "批件.pdf"
    info.value.save_as(genuine)
    digest = hashlib.sha256(genuine.read_bytes()).hexdigest()

    scans = tmp_path / "scans"
    scans.mkdir()
    [url] = set(qr_codes(genuine, scans))
    assert url.startswith(f"{live_server.url}/verify/"), url  # printed with the address it was issued from

    public = sign_in(None)  # anyone, not signed in
    assert public.goto(url).status == 200
    facts = public.locator('[data-testid="document-facts"]').inner_text()
    assert number in facts and "出国（境）任务批件" in facts and f"#{case_id}" in facts
    assert public.locator('[data-testid="sha256"]').inner_text() == digest
    assert "张伟" not in public.locator("main").inner_text()  # nothing personal on the public page

    def check(path):
        public.set_input_files("#pdf", str(path))
        with public.expect_navigation():
            public.get_by_role("button", name="核验文件").click()

    check(genuine)
    assert public.locator('[data-testid="verdict-genuine"]').is_visible()
    assert not public.locator('[data-testid="verdict-mismatch"]').count()

    data = bytearray(genuine.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit changed somewhere in the middle
    altered = tmp_path / "批件-修改.pdf"
    altered.write_bytes(bytes(data))
    check(altered)
    assert public.locator('[data-testid="verdict-mismatch"]').is_visible()
    assert not public.locator('[data-testid="verdict-genuine"]').count()
    assert hashlib.sha256(data).hexdigest() in public.locator("main").inner_text()
