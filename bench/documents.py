"""Document benchmark: how long an official PDF takes, against a baseline measured in the same run.

  baseline    — WeasyPrint rendering a one-line Chinese HTML page (same fonts), so the ratio shows
                what our templates, the tables and the QR code add to WeasyPrint's own cost;
  trip_batch  — the 任务批件 of a 3-member delegation (one A4 page), rendered from its snapshot;
  visa_notice — the 签证通知函 for two invitees (one A4 page);
  issue       — DocumentService.issue on a SQLite file: read the case, build the snapshot, render,
                write the file, one transaction with the audit event (a case per round).

The first render in a process also loads Pango and the Noto CJK fonts: reported separately (cold).
Prints a table, then one JSON object as the last line.
Usage: python bench/documents.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself on the path: bench/http.py would shadow the standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from engine.documents.kinds import KINDS  # noqa: E402
from engine.documents.render import render_pdf  # noqa: E402

TRIP = {
    "batch_number": "兰外出任〔2026〕1号",
    "trip_batch_document": {
        "title": "出国（境）任务批件", "delegation_name": "兰州市商务局赴德国经贸洽谈团", "head": "张伟",
        "task": "参加汉堡中德经贸合作洽谈会，推介兰州新区投资环境，洽谈两个合作项目。",
        "countries": [{"country": "DE", "days": 5, "transit": False}], "days_abroad": 5,
        "inviter": "汉堡商会 / Handelskammer Hamburg", "funding_source": "市商务局部门预算（因公出国经费）",
        "members": [{"name": n, "sex": s, "birth_date": b, "unit": "兰州市商务局", "post": p}
                    for n, s, b, p in (("张伟", "male", "1975-05-12", "副局长"),
                                       ("李娜", "female", "1985-08-20", "科长"),
                                       ("王强", "male", "1990-03-15", "科员"))],
        "departure_date": "2026-04-20", "return_date": "2026-04-24", "approved_by": "分管外事市领导",
        "issued_on": "2026-03-02", "copies": ["甘肃省人民政府外事办公室（备案）", "兰州市商务局"],
    },
}
VISA = {
    "visa_notice_number": "兰外签通〔2026〕第1号",
    "visa_notice": {
        "date": "2026-03-02", "addressee": "中华人民共和国驻德国大使馆签证处", "inviting_unit": "兰州市商务局",
        "purpose": "出席兰洽会", "cities": "兰州", "entry_date": "2026-07-01", "stay_days": 6, "visa_type": "F",
        "entries": "single", "validity_months": 3, "stay_per_entry_days": 30, "courtesy_requested": True,
        "invitees": [{"name": "MUELLER HANS", "sex": "male", "birth_date": "1968-04-02", "nationality": "DE",
                      "passport_type": "official", "passport_no": "C01X00T47", "title": "Bürgermeister",
                      "visa_apply_at": "德国柏林"},
                     {"name": "SCHMIDT ANNA", "sex": "female", "birth_date": "1981-09-15", "nationality": "DE",
                      "passport_type": "ordinary", "passport_no": "C7Y4K2P90", "title": "Head of Asia Desk",
                      "visa_apply_at": "德国柏林"}],
        "cost_bearer": "inviter", "host_contact": "王经办 0931-8451234", "fao_contact": "孙经办 0931-8888888",
    },
}
URL = "https://waishi.example.cn/verify/ABCDE12345"


def _timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _baseline() -> bytes:
    from weasyprint import HTML

    return HTML(string='<html><body style="font-family: \'Noto Serif CJK SC\'">兰州市人民政府外事办公室</body></html>'
                ).write_pdf()


def _issue_rounds(rounds: int) -> list[float]:
    from engine.demo import load_demo
    from engine.documents import DocumentService
    from engine.runtime import case_store
    from engine.storage.db import Database
    from engine.storage.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(db)
        load_demo(db)
        from engine.definitions.deploy import deploy_paths

        deploy_paths(db, [ROOT / "tests" / "processes"])
        from sqlalchemy import select

        from engine.storage.models import DefinitionVersion

        with db.read() as s:
            version = s.scalar(select(DefinitionVersion.id).limit(1))
        at = datetime(2026, 3, 2, tzinfo=UTC)
        ids = []
        with db.transaction() as s:
            for _ in range(rounds):
                ids.append(case_store.insert_case(
                    s, process_id="test_approval", version_id=version, status="running", unit_code="commerce",
                    title="bench", started_by="clerk_commerce", started_at=at, updated_at=at, ended_at=None, seq=0,
                    last_hash="0" * 64, state_hash="", state="", data=TRIP, next_timer_at=None).id)
        service = DocumentService(db, data_dir=Path(tmp) / "data")
        times = []
        for n, case_id in enumerate(ids):
            t = time.perf_counter()
            service.issue(case_id, "trip_batch", at=at + timedelta(minutes=n))
            times.append(time.perf_counter() - t)
        db.dispose()
        return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    trip, visa = KINDS["trip_batch"].build(TRIP), KINDS["visa_notice"].build(VISA)

    t = time.perf_counter()
    render_pdf("trip_batch", trip, "ABCDE12345", URL)
    cold = time.perf_counter() - t
    results = {
        "baseline": _timed(_baseline, rounds),
        "trip_batch": _timed(lambda: render_pdf("trip_batch", trip, "ABCDE12345", URL), rounds),
        "visa_notice": _timed(lambda: render_pdf("visa_notice", visa, "ABCDE12345", URL), rounds),
        "issue": _issue_rounds(rounds),
    }
    base = statistics.median(results["baseline"])
    print(f"{'what':<12} {'median s':>9} {'max s':>8} {'× baseline':>11}")
    print(f"{'cold first':<12} {cold:9.3f}")
    summary = {"cold_first_render_s": round(cold, 4), "rounds": rounds}
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:<12} {median:9.3f} {max(times):8.3f} {median / base:11.2f}")
        summary[f"{name}_median_s"] = round(median, 4)
        summary[f"{name}_ratio"] = round(median / base, 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
