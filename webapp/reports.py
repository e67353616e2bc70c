"""The biannual report (`/reports`): figures with charts for a half-year or a date range, with
last year's beside them; PDF, Word and Excel exports (with progress), CSV per table; freezing a
finished half-year and showing frozen reports exactly as they were.

Reading is allowed to fao_clerk, section_chief, fao_director, leader_in_charge and auditor — the
engine's `ReportService` checks it; exports are GET requests (auditors may only read), and only
freezing is a POST."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import WaishiError
from engine.reports import charts
from engine.reports.jobs import ExportJobStore
from engine.reports.period import Period
from engine.reports.render import num, pct, sections
from engine.reports.service import FORMATS, FREEZERS, READERS, Export, ReportService
from webapp import report_jobs
from webapp.auth import current_user, login_required
from webapp.i18n import engine_text, lang
from webapp.services import waishi

bp = Blueprint("reports", __name__, url_prefix="/reports")


def report_service() -> ReportService:
    ext = current_app.extensions
    if "waishi_reports" not in ext:
        ext["waishi_reports"] = ReportService(waishi().db)
        ext["waishi_report_jobs"] = ExportJobStore(waishi().db)
    return ext["waishi_reports"]


def jobs() -> ExportJobStore:
    report_service()
    return current_app.extensions["waishi_report_jobs"]


@bp.before_request
@login_required
def only_readers():
    if not current_user().has_any(*READERS):
        abort(403)


def _period() -> Period:
    args = request.args
    return Period.parse(args.get("year"), args.get("half"), args.get("from"), args.get("to"), report_service().today())


def _query(period: Period) -> dict[str, str]:
    if period.half:
        return {"year": str(period.start.year), "half": period.half}
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


@bp.get("/")
def index():
    service = report_service()
    user = current_user()
    try:
        period = _period()
    except WaishiError as exc:
        flash(engine_text(exc), "error")
        return redirect(url_for("reports.index"))
    figures = service.figures(user.username, period)
    frozen = service.frozen_list(user.username)
    already = next((f for f in frozen if f["period_start"] == period.start and f["period_end"] == period.end), None)
    may_freeze = (user.has_any(*FREEZERS) and not user.has_any("auditor") and period.half is not None
                  and period.finished(service.today()) and already is None)
    return render_template("reports/index.html", **_page(figures), period=period, query=_query(period),
                           frozen_list=frozen, already=already, may_freeze=may_freeze, frozen=None,
                           today=service.today())


def _page(figures: dict) -> dict:
    current = lang()
    return {"f": figures, "charts": charts.by_table(charts.all_svgs(figures, current)), "lang": current,
            "sections": sections(current), "num": num, "pct": pct}


@bp.get("/export.<fmt>")
def export(fmt: str):
    """The file at once (the links work without JavaScript); the page uses the job routes."""
    if fmt not in FORMATS:
        abort(404)
    result = report_service().export(current_user().username, _period(), fmt, lang(), table=request.args.get("table"))
    return _download(result)


@bp.get("/jobs/start")
def job_start():
    """Start an export in the background; answers the job's id and where to ask for progress."""
    fmt = request.args.get("format", "")
    if fmt not in FORMATS:
        abort(404)
    period, username, language = _period(), current_user().username, lang()
    service = report_service()
    frozen_id = request.args.get("frozen", type=int)
    if frozen_id is not None:
        service.frozen(username, frozen_id)  # refused here, not in the thread, if not allowed

        def work(progress):
            return service.frozen_export(username, frozen_id, fmt, progress=progress)
    else:
        service.figures(username, period)  # the role check, before a thread starts

        def work(progress):
            return service.export(username, period, fmt, language, progress=progress)
    job_id = report_jobs.start(jobs(), username, fmt, work)
    return jsonify(id=job_id, status=url_for("reports.job_status", job_id=job_id))


@bp.get("/jobs/<job_id>")
def job_status(job_id: str):
    job = jobs().get(job_id, current_user().username)
    if job is None:
        abort(404)
    body = {"state": job.state, "done": job.done, "total": job.total, "step": job.step}
    if job.state == "done":
        body["file"] = url_for("reports.job_file", job_id=job.id)
    elif job.state == "failed":
        body["message"] = engine_text(job.error) if job.error else _("The export failed. Try again later.")
    return jsonify(body)


@bp.get("/jobs/<job_id>/file")
def job_file(job_id: str):
    result = jobs().file(job_id, current_user().username)
    if result is None:
        abort(404)
    return _download(result)


@bp.post("/freeze")
def freeze():
    period = Period.parse(request.form.get("year"), request.form.get("half"), None, None, report_service().today())
    frozen = report_service().freeze(current_user().username, period, lang())
    flash(_("The report was frozen as %(number)s.", number=frozen.number), "success")
    return redirect(url_for("reports.frozen", frozen_id=frozen.id))


@bp.get("/frozen/<int:frozen_id>")
def frozen(frozen_id: int):
    service = report_service()
    view = service.frozen(current_user().username, frozen_id)
    page = _page(view.figures)
    page["charts"] = charts.by_table(charts.all_svgs(view.figures, view.lang))
    page["lang"] = view.lang
    page["sections"] = sections(view.lang)
    return render_template("reports/index.html", **page, period=view.period, query={}, frozen=view,
                           frozen_list=service.frozen_list(current_user().username), already=None, may_freeze=False,
                           today=service.today())


@bp.get("/frozen/<int:frozen_id>.<fmt>")
def frozen_export(frozen_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    return _download(report_service().frozen_export(current_user().username, frozen_id, fmt,
                                                    table=request.args.get("table")))


def _download(result: Export) -> Response:
    response = Response(result.content, mimetype=result.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response.headers["Content-Length"] = str(len(result.content))
    return response
