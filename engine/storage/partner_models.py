"""The register of the city's partner cities (友好城市 and 友好交流城市, FAO-DOMAIN §1(g)): one row
per foreign city, filled when a `sister_city` case ends approved and kept by the FAO clerks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.models import Base


class PartnerCity(Base):
    __tablename__ = "partner_cities"
    # One-to-one principle [S49]: a foreign city has one relationship with Lanzhou, of one kind.
    __table_args__ = (UniqueConstraint("country", "name_foreign", name="uq_partner_cities_city"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # sister_city | friendship_exchange
    name_zh: Mapped[str] = mapped_column(String(200))
    name_foreign: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    since: Mapped[date] = mapped_column(Date)
    agreement_on_file: Mapped[bool] = mapped_column(Boolean, default=False)
    agreement_ref: Mapped[str] = mapped_column(String(200), default="")  # 协议书 archive / scan reference
    note: Mapped[str] = mapped_column(Text, default="")  # source of the row, e.g. [S51] or "演示数据"
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))
