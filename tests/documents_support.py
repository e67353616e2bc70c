"""Cases that reach an official document, for the document tests (engine and web).

The 任务批件 comes from a real `trip_staff` case: the happy scenario of processes/scenarios/ run up
to the leader's approval, whose script draws `batch_number` and keeps `trip_batch_document`. The
签证通知函 comes from tests/processes_documents/test_visa_notice.bpmn, whose script is the one of
processes/invitation_official.bpmn (same field names), so these tests do not depend on the whole
invitation procedure. Also: reading PDFs with poppler (pdftotext, pdffonts, pdftoppm) and zbar."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from engine.definitions.deploy import deploy_paths
from engine.scenarios import parse_scenario, run_scenario
from engine.scenarios.actors import user_for_role
from tests.helpers import open_item

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
HAPPY = REPO / "processes" / "scenarios" / "trip_staff_happy.toml"
VISA_PROCESS = TESTS / "processes_documents"
LEADER_STEP = 6  # the happy scenario's step in which the leader in charge approves
ISSUE_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # after the leader's approval (22:10 Beijing = 14:10 UTC)


def trip_files() -> list[Path]:
    """trip_staff and what it uses: the called processes, the decisions and their forms."""
    processes = REPO / "processes"
    files = [processes / f for f in ("trip_staff.bpmn", "passport_visa.bpmn", "post_trip.bpmn",
                                     "trip_limits.dmn", "trip_person_limits.dmn", "trip_budget_standards.dmn",
                                     "trip_budget_limits.dmn", "trip_route.dmn",
                                     "passport_type.dmn")]
    forms = REPO / "forms"
    for prefix in ("trip_staff_", "passport_visa_", "post_trip_"):
        files += sorted(forms.glob(f"{prefix}*.form"))
    return files


def deploy_document_processes(db) -> None:
    deploy_paths(db, trip_files())
    deploy_paths(db, [VISA_PROCESS])


def happy_raw() -> dict:
    return tomllib.loads(HAPPY.read_text(encoding="utf-8"))


def run_trip(db, steps: int = LEADER_STEP) -> int:
    """A trip_staff case driven through the happy scenario's first `steps` steps; its case id."""
    raw = happy_raw()
    raw["steps"] = raw["steps"][:steps]
    raw.pop("expect", None)
    result = run_scenario(parse_scenario(raw, source=HAPPY), db)
    assert result.ok, result.report("en")
    return result.case_id


def complete_next_trip_step(service, db, case_id: int, index: int, at: datetime) -> None:
    """Complete the happy scenario's step `index` (0-based) on an existing case."""
    step = happy_raw()["steps"][index]
    item = open_item(db, case_id, step["task"])
    username = user_for_role(db, step["role"], "commerce")
    service.complete_task(username, case_id, item.task_id, step.get("data", {}), expected_version=item.version,
                          at=at)


VISA_DATA = {
    "inviting_unit": "兰州市商务局",
    "purpose": "出席中国兰州投资贸易洽谈会并考察兰州新区",
    "cities": "兰州",
    "entry_date": "2026-07-01",
    "stay_days": 6,
    "visa_type": "F",
    "entries": "single",
    "visa_validity_months": 3,
    "visa_stay_per_entry_days": 30,
    "courtesy_requested": True,
    "visa_apply_at": "德国柏林 中国驻德国大使馆",
    "visa_notice_addressee": "中华人民共和国驻德国大使馆签证处",
    "visa_notice_channel": "letter",
    "cost_bearer": "inviter",
    "host_contact_name": "王经办",
    "host_contact_phone": "0931-8451234",
    "fao_contact_name": "孙经办",
    "fao_contact_phone": "0931-8888888",
    "approval_reference": "兰外复〔2026〕7号",
    "approved_by": "兰州市人民政府外事办公室",
    "invitees": [
        {"name": "MUELLER HANS", "sex": "male", "birth_date": "1968-04-02", "nationality": "DE",
         "passport_type": "official", "passport_no": "C01X00T47", "passport_expiry": "2030-01-01",
         "employer": "Stadt Hamburg", "title": "Bürgermeister"},
        {"name": "SCHMIDT ANNA", "sex": "female", "birth_date": "1981-09-15", "nationality": "DE",
         "passport_type": "ordinary", "passport_no": "C7Y4K2P90", "passport_expiry": "2031-05-01",
         "employer": "Handelskammer Hamburg", "title": "Head of Asia Desk"},
    ],
}


def start_visa_case(service, at: datetime) -> int:
    return service.start_case("clerk_commerce", "test_visa_notice", VISA_DATA, at=at)


# -- reading PDFs ----------------------------------------------------------------------------

def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: run `bash scripts/system-deps.sh` as root (make install does)"
    return path


def pdf_text(path: Path) -> str:
    return subprocess.run([_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) per font of the PDF."""
    out = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 5:
            # name, type…, encoding, emb, sub, uni, object, id: "emb" is the fifth field from the end.
            rows.append((parts[0], parts[-5]))
    return rows


def qr_codes(path: Path, workdir: Path) -> list[str]:
    """The QR codes printed on the PDF's pages, decoded from a 150 dpi rendering."""
    prefix = workdir / "page"
    subprocess.run([_tool("pdftoppm"), "-r", "150", "-png", str(path), str(prefix)], check=True)
    found = []
    for page in sorted(workdir.glob("page*.png")):
        out = subprocess.run([_tool("zbarimg"), "-q", "--raw", str(page)], capture_output=True, text=True)
        found += [line for line in out.stdout.splitlines() if line]
    return found
