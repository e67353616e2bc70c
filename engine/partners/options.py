"""The register as choices in case forms: the trip and invitation forms' optional `partner_city`
select names `valuesKey: partner_city_options`, which is not case data but supplied here, both
when the form is shown and when its submission is validated, so the two always agree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.forms.model import FormSpec
from engine.storage.partner_models import PartnerCity

OPTIONS_KEY = "partner_city_options"
_KIND = {"sister_city": "友好城市", "friendship_exchange": "友好交流城市"}


def partner_options(session: Session) -> list[dict[str, str]]:
    """Every partner as {label, value}; the value is stable (`country:foreign name`) so a case keeps
    its meaning even if the row's id changes in an export."""
    rows = session.execute(select(PartnerCity.kind, PartnerCity.name_zh, PartnerCity.name_foreign, PartnerCity.country)
                           .order_by(PartnerCity.kind.desc(), PartnerCity.since, PartnerCity.id)).all()
    return [{"label": f"{r.name_zh}（{r.name_foreign}，{r.country}）· {_KIND.get(r.kind, r.kind)}",
             "value": f"{r.country}:{r.name_foreign}"} for r in rows]


def form_context(session: Session, data: Mapping[str, Any], form: FormSpec | None = None) -> dict[str, Any]:
    """The case data plus the register's options, as forms read their option lists. Given the
    `form`, the register is read only when one of its fields names it (most forms do not)."""
    if form is not None and not uses_register(form):
        return dict(data)
    return {**data, OPTIONS_KEY: partner_options(session)}


def uses_register(form: FormSpec) -> bool:
    return any(f.options_key == OPTIONS_KEY for f in form.walk())
