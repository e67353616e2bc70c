"""Tables of running the service rather than of the office's work: the attempt counters that
slow down password and code guessing (shared by every web process), and the timer workers'
heartbeats that `/ready` reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.models import Base


class ThrottleCounter(Base):
    """Failures in a row for one key of one scope ("login": username + address; "verify": address).
    The key is stored as a sha256, never as the username or address itself."""

    __tablename__ = "throttle_counters"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch (wall clock)


class WorkerHeartbeat(Base):
    """One row per running timer worker (host:pid), touched on every pass."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime] = mapped_column(index=True)
