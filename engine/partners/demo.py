"""Demo rows of the partner-city register (`waishi demo`). Only Akita is sourced: Lanzhou's first
sister city, 1982 [S51] (the day is not in the sources, so 1 January stands for it). The other rows
are demo data, marked so in their note: FAO-DOMAIN.md gives only the totals (13 sister cities and
24 friendship-exchange cities in 2016 [S51]), and the real register comes from the FAO's files."""

from __future__ import annotations

from sqlalchemy import select

from engine.partners.register import create_partner
from engine.runtime.actors import SYSTEM
from engine.storage.db import Database
from engine.storage.partner_models import PartnerCity

ROWS = [
    {"kind": "sister_city", "name_zh": "秋田市", "name_foreign": "Akita", "country": "JP", "since": "1982-01-01",
     "agreement_on_file": False, "agreement_ref": "",
     "note": "[S51] 兰州市第一个友好城市，1982 年结好（月日待与外办档案核对）"},
    {"kind": "sister_city", "name_zh": "演示市（友好城市）", "name_foreign": "Demo City", "country": "FR",
     "since": "2006-09-20", "agreement_on_file": True, "agreement_ref": "演示档案 DEMO-2006-01",
     "note": "演示数据，非真实记录"},
    {"kind": "friendship_exchange", "name_zh": "演示市（友好交流城市）", "name_foreign": "Demo Town", "country": "KZ",
     "since": "2016-06-08", "agreement_on_file": True, "agreement_ref": "演示档案 DEMO-2016-03",
     "note": "演示数据，非真实记录"},
]


def load_demo_partners(db: Database) -> list[str]:
    """Add the demo rows whose city is not in the register yet; returns the names added."""
    added = []
    for row in ROWS:
        with db.read() as session:
            exists = session.scalar(select(PartnerCity.id).where(PartnerCity.country == row["country"],
                                                                 PartnerCity.name_foreign == row["name_foreign"]))
        if exists is None:
            create_partner(db, SYSTEM, row)
            added.append(row["name_zh"])
    return added
