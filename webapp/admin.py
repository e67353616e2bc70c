"""Administration (role `admin`): users, units, the holiday table and office settings. Every
change is an engine command (`engine.users`, `engine.office.admin`) that writes one event to the system
audit chain; bad input is shown on the form in the user's language and changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import users
from engine.errors import InvalidInput, WaishiError
from engine.office import admin as office
from engine.office.workdays import OFFICIAL_YEARS
from engine.queries import admin as queries
from webapp.auth import current_user, role_required
from webapp.i18n import engine_text, lang
from webapp.services import waishi

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required("admin")
def _admins_only():
    """Every page of this blueprint is for administrators (403 for anyone else)."""
    return None


def _field_errors(err: InvalidInput) -> dict[str, str]:
    return {k: m.text(lang()) for k, m in err.field_errors.items()}


def _actor() -> str:
    return current_user().username


@bp.get("/")
def index():
    return redirect(url_for("admin.user_list"))


# -- users ------------------------------------------------------------------------------------


@bp.get("/users")
def user_list():
    text = (request.args.get("q") or "").strip()[:64]
    with waishi().db.read() as session:
        rows = queries.users(session, text=text or None)
        units = {u.code: u for u in queries.units(session)}
    return render_template("admin/users.html", rows=rows, units=units, q=text)


def _user_form_values() -> dict:
    form = request.form
    return {
        "username": (form.get("username") or "").strip(),
        "display_name": (form.get("display_name") or "").strip(),
        "unit_code": form.get("unit_code") or None,
        "roles": form.getlist("roles"),
    }


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    values = {"username": "", "display_name": "", "unit_code": None, "roles": []}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _user_form_values()
        try:
            users.create_user(waishi().db, _actor(), password=request.form.get("password") or "", **values)
        except InvalidInput as err:
            errors, status = _field_errors(err), 400
            flash(engine_text(err), "error")
        else:
            flash(_("User %(name)s was created.", name=values["username"].lower()), "success")
            return redirect(url_for("admin.user_list"), 303)
    with waishi().db.read() as session:
        units = queries.units(session)
    return render_template("admin/user_form.html", values=values, errors=errors, units=units, new=True), status


@bp.route("/users/<username>", methods=["GET", "POST"])
def user_edit(username: str):
    with waishi().db.read() as session:
        found = queries.user(session, username)
        units = queries.units(session)
    if found is None:
        abort(404)
    values = {"username": found.username, "display_name": found.display_name, "unit_code": found.unit_code,
              "roles": list(found.roles)}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        submitted = _user_form_values()
        values.update(display_name=submitted["display_name"], unit_code=submitted["unit_code"],
                      roles=submitted["roles"])
        try:
            changes = users.update_user(waishi().db, _actor(), found.username, display_name=values["display_name"],
                                        unit_code=values["unit_code"], roles=values["roles"])
        except InvalidInput as err:
            errors, status = _field_errors(err), 400
            flash(engine_text(err), "error")
        else:
            flash(_("Changes to %(name)s were saved.", name=found.username) if changes
                  else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("admin.user_edit", username=found.username), 303)
    return render_template("admin/user_form.html", values=values, errors=errors, units=units, new=False,
                           account=found), status


@bp.post("/users/<username>/deactivate")
def user_deactivate(username: str):
    return _run(lambda: users.deactivate(waishi().db, _actor(), username),
                _("%(name)s was deactivated and can no longer sign in.", name=username),
                url_for("admin.user_edit", username=username))


@bp.post("/users/<username>/activate")
def user_activate(username: str):
    return _run(lambda: users.reactivate(waishi().db, _actor(), username),
                _("%(name)s was reactivated.", name=username), url_for("admin.user_edit", username=username))


@bp.post("/users/<username>/password")
def user_password(username: str):
    password = request.form.get("password") or ""
    if password != (request.form.get("password_repeat") or ""):
        flash(_("The two passwords differ."), "error")
        return redirect(url_for("admin.user_edit", username=username), 303)
    return _run(lambda: users.reset_password(waishi().db, _actor(), username, password),
                _("The password of %(name)s was reset. Their open sessions have ended.", name=username),
                url_for("admin.user_edit", username=username))


def _run(command, success: str, back: str):
    """Run a one-button command: a message either way, then back to the page (POST-redirect-GET).
    An unknown user or unit is a 404 page."""
    try:
        command()
    except InvalidInput as err:
        flash(engine_text(err), "error")
    else:
        flash(success, "success")
    return redirect(back, 303)


# -- units --------------------------------------------------------------------------------------


@bp.route("/units", methods=["GET", "POST"])
def unit_list():
    values = {"code": "", "name_zh": "", "name_en": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip() for k in values}
        try:
            office.create_unit(waishi().db, _actor(), **values)
        except InvalidInput as err:
            errors, status = _field_errors(err), 400
            flash(engine_text(err), "error")
        else:
            flash(_("Unit %(code)s was created.", code=values["code"].lower()), "success")
            return redirect(url_for("admin.unit_list"), 303)
    with waishi().db.read() as session:
        rows = queries.units(session)
    return render_template("admin/units.html", rows=rows, values=values, errors=errors), status


@bp.post("/units/<code>")
def unit_update(code: str):
    form = request.form
    try:
        changes = office.update_unit(waishi().db, _actor(), code, name_zh=form.get("name_zh") or "",
                                     name_en=form.get("name_en") or "", held=form.get("held") == "1")
    except InvalidInput as err:
        flash(engine_text(err), "error")
    else:
        flash(_("Unit %(code)s was saved.", code=code) if changes else _("Nothing was changed."),
              "success" if changes else "info")
    return redirect(url_for("admin.unit_list"), 303)


# -- holiday table ---------------------------------------------------------------------------------


@bp.route("/holidays", methods=["GET", "POST"])
def holiday_list():
    values = {"day": "", "kind": "holiday", "note": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip() for k in values}
        try:
            day = date.fromisoformat(values["day"])
        except ValueError:
            errors["day"] = _("Enter a date such as 2027-10-01.")
        if values["kind"] not in ("holiday", "workday"):
            errors["kind"] = _("Choose a holiday or a make-up working day.")
        if not errors:
            try:
                office.put_holiday(waishi().db, _actor(), day, values["kind"] == "holiday", values["note"])
            except InvalidInput as err:
                errors = _field_errors(err)
            else:
                flash(_("%(day)s was saved in the holiday table.", day=day.isoformat()), "success")
                return redirect(url_for("admin.holiday_list"), 303)
        status = 400
        flash(next(iter(errors.values())), "error")
    with waishi().db.read() as session:
        rows = queries.holidays(session)
    return render_template("admin/holidays.html", rows=rows, values=values, errors=errors,
                           official=(OFFICIAL_YEARS.start, OFFICIAL_YEARS.stop - 1),
                           this_year=datetime.now(UTC).year), status


@bp.post("/holidays/<day>/delete")
def holiday_delete(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    try:
        office.delete_holiday(waishi().db, _actor(), parsed)
    except WaishiError as err:
        flash(engine_text(err), "error")
    else:
        flash(_("%(day)s was removed from the holiday table.", day=parsed.isoformat()), "success")
    return redirect(url_for("admin.holiday_list"), 303)


# -- office settings -----------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings_page():
    errors: dict[str, str] = {}
    submitted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        with waishi().db.read() as session:
            keys = [s.key for s in queries.office_settings(session)]
        submitted = {k: request.form.get(k, "") for k in keys if k in request.form}
        # Check every value first: one bad value changes nothing at all.
        for key, raw in submitted.items():
            try:
                office.parse_setting(key, raw)
            except InvalidInput as err:
                errors.update(_field_errors(err) or {key: engine_text(err)})
        if not errors:
            changed = [k for k, raw in submitted.items() if office.put_setting(waishi().db, _actor(), k, raw)]
            flash(ngettext("%(num)d setting saved.", "%(num)d settings saved.", len(changed)) if changed
                  else _("Nothing was changed."),
                  "success" if changed else "info")
            return redirect(url_for("admin.settings_page"), 303)
        status = 400
        flash(_("Some values are not valid; nothing was saved."), "error")
    with waishi().db.read() as session:
        rows = queries.office_settings(session)
    return render_template("admin/settings.html", rows=rows, errors=errors, submitted=submitted), status
