"""Demo units and users: one user per role code of the data contract, so every path can be
tried by signing in as its own user. The password of every demo user is DEMO_PASSWORD."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from engine.audit import chain
from engine.passwords import hash_password
from engine.storage.db import Database
from engine.storage.models import Unit, User, UserRole

DEMO_PASSWORD = "waishi-demo"

UNITS = [
    ("fao", "兰州市人民政府外事办公室", "Lanzhou Foreign Affairs Office"),
    ("commerce", "兰州市商务局", "Lanzhou Municipal Bureau of Commerce"),
    ("education", "兰州市教育局", "Lanzhou Municipal Bureau of Education"),
]

# username, display name, unit, roles
USERS = [
    ("clerk_commerce", "王经办（商务局）", "commerce", ["unit_clerk"]),
    ("head_commerce", "李局长（商务局）", "commerce", ["unit_head"]),
    ("clerk_education", "赵经办（教育局）", "education", ["unit_clerk"]),
    ("head_education", "钱局长（教育局）", "education", ["unit_head"]),
    ("fao_clerk", "孙经办（外办）", "fao", ["fao_clerk"]),
    ("section_chief", "周处长（外办）", "fao", ["section_chief"]),
    ("fao_director", "吴主任（外办）", "fao", ["fao_director"]),
    ("leader", "郑副市长", None, ["leader_in_charge"]),
    ("analyst", "冯分析员", "fao", ["analyst"]),
    ("auditor", "陈审计", None, ["auditor"]),
    ("admin", "褚管理员", "fao", ["admin"]),
]


def load_demo(db: Database, password: str = DEMO_PASSWORD) -> list[str]:
    """Create the demo units and users that do not exist yet. Returns the usernames created."""
    created = []
    hashed = hash_password(password)
    now = datetime.now(UTC)
    with db.transaction() as session:
        for code, zh, en in UNITS:
            if session.get(Unit, code) is None:
                session.add(Unit(code=code, name_zh=zh, name_en=en))
        session.flush()
        for username, name, unit, roles in USERS:
            if session.scalar(select(User).where(User.username == username)) is not None:
                continue
            user = User(username=username, display_name=name, unit_code=unit, password_hash=hashed)
            user.roles = [UserRole(role=r) for r in roles]
            session.add(user)
            created.append(username)
        if created:
            chain.append_system(session, at=now, actor="system", command="demo_users",
                                payload={"users": created, "roles": {u: r for u, _, _, r in USERS if u in created}})
    return created
