"""The person register (FAO-DOMAIN §2.3, §3 passport return): one row per person per approved trip,
keyed by the ID-card number, so that rules across cases (frequency, same-unit leaders, leaders
abroad at once, passports not returned) can be checked for each member of a new delegation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.models import Base


class PersonTrip(Base):
    __tablename__ = "person_trips"
    # A person appears once per case; re-approving a case (replay, correction) rewrites its rows.
    __table_args__ = (UniqueConstraint("case_id", "id_card_no", name="uq_person_trips_case_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_card_no: Mapped[str] = mapped_column(String(18), index=True)  # 公民身份号码, upper-case X
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(200))  # the member's 工作单位 as written on the application
    unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the sending unit of the case
    post: Mapped[str] = mapped_column(String(200), default="")
    rank: Mapped[str] = mapped_column(String(32))
    unit_leader: Mapped[bool] = mapped_column(Boolean, default=False)  # 本单位领导班子成员
    # None: an approved trip recorded by a case; a string: entered by hand (e.g. a scenario's prior trips).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    process: Mapped[str] = mapped_column(String(64))
    countries: Mapped[str] = mapped_column(String(200))  # ISO alpha-2 codes, comma-separated, visiting order
    departure_date: Mapped[date] = mapped_column(Date)
    return_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="approved")  # approved | cancelled
    passport_due: Mapped[date | None] = mapped_column(Date, nullable=True)  # re-entry + passport_return_days
    passport_returned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(Text, default="", server_default="")  # 出访任务, for the 备案表's last trip
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
