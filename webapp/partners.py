"""The partner-city register (友好城市名录): the FAO's staff read it, FAO clerks add and correct
rows. Every change is an engine command (`engine.partners.register`), which also checks who may
make it; bad input is shown on the form in the user's language and changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.partners.register import EDIT_ROLES, KINDS, READ_ROLES, get_partner, list_partners
from engine.partners.register import create_partner as create_command
from engine.partners.register import update_partner as update_command
from engine.places.names import name as country_name
from engine.places.options import territory_options
from webapp.auth import current_user, role_required
from webapp.i18n import engine_text, lang
from webapp.services import waishi

bp = Blueprint("partners", __name__, url_prefix="/partners")
CHINA = timezone(timedelta(hours=8))
EMPTY = {"kind": "sister_city", "name_zh": "", "name_foreign": "", "country": "", "since": "",
         "agreement_on_file": False, "agreement_ref": "", "note": ""}


@bp.before_request
@role_required(*READ_ROLES)
def _office_staff_only():
    return None


def _today() -> date:
    return datetime.now(CHINA).date()


def _may_edit() -> bool:
    return current_user().has_any(*EDIT_ROLES)


def _values() -> dict:
    form = request.form
    return {"kind": form.get("kind") or "", "name_zh": form.get("name_zh") or "",
            "name_foreign": form.get("name_foreign") or "", "country": (form.get("country") or "").strip().upper(),
            "since": form.get("since") or "", "agreement_on_file": form.get("agreement_on_file") == "1",
            "agreement_ref": form.get("agreement_ref") or "", "note": form.get("note") or ""}


def _page(values: dict, errors: dict[str, str], status: int = 200):
    try:
        rows = list_partners(waishi().db, current_user().username)
    except Forbidden:
        abort(403)
    today = _today()
    shown = [{"p": p, "country": country_name(p.country, lang()), "kind": p.kind_label(lang()),
              "next": p.next_anniversary(today),
              "years": p.next_anniversary(today).year - p.since.year} for p in rows]
    return render_template("partners/index.html", rows=shown, values=values, errors=errors, kinds=KINDS,
                           may_edit=_may_edit(), lang=lang(), countries=territory_options(False)), status


@bp.get("/")
def index():
    return _page(dict(EMPTY), {})


@bp.post("/")
def create():
    values = _values()
    try:
        create_command(waishi().db, current_user().username, values)
    except Forbidden:
        abort(403)
    except InvalidInput as err:
        flash(engine_text(err), "error")
        return _page(values, {k: m.text(lang()) for k, m in err.field_errors.items()}, 400)
    flash(_("%(name)s was added to the register.", name=values["name_zh"].strip()), "success")
    return redirect(url_for("partners.index"), 303)


@bp.route("/<int:partner_id>/edit", methods=["GET", "POST"])
def edit(partner_id: int):
    if not _may_edit():
        abort(403)
    try:
        partner = get_partner(waishi().db, current_user().username, partner_id)
    except NotFound:
        abort(404)
    values = {k: getattr(partner, k) for k in EMPTY}
    values["since"] = partner.since.isoformat()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _values()
        try:
            update_command(waishi().db, current_user().username, partner_id, values)
        except Forbidden:
            abort(403)
        except InvalidInput as err:
            flash(engine_text(err), "error")
            errors, status = {k: m.text(lang()) for k, m in err.field_errors.items()}, 400
        else:
            flash(_("The record was saved."), "success")
            return redirect(url_for("partners.index"), 303)
    return render_template("partners/edit.html", partner=partner, values=values, errors=errors, kinds=KINDS,
                           lang=lang(), countries=territory_options(False)), status
