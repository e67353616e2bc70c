"""The auditor's workspace (`/audit`): search across every unit, step-by-step replay on the
diagram, verification, heatmap, exports, seals and the log of what auditors looked at.

Every route is a read: the views translate the request into `AuditService` calls, which check the
`auditor` role in the engine and record each look on the system chain. Nothing here changes a case.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from engine.audit.heatmap import HeatmapFilter
from engine.audit.search import SORTS, SearchFilter
from engine.queries import inbox
from engine.queries.admin import units as unit_list
from engine.queries.cases import STATUSES
from engine.queries.diagram import case_bpmn, element_names, version_bpmn
from webapp import audit_labels as audit_labels_module
from webapp import audit_seals as seal_views
from webapp.audit_views import audit_service, process_versions, report_pdf, step_context
from webapp.auth import current_user, login_required
from webapp.case_sections import VIEWER_SCRIPT, has_vendor
from webapp.services import waishi

bp = Blueprint("audit", __name__, url_prefix="/audit")

SEARCH_KEYS = ("number", "unit", "person", "process", "version", "status", "country", "document", "from", "to")


@bp.before_request
@login_required
def only_auditors():
    user = current_user()
    if not user.has_any("auditor"):
        abort(403)


@bp.get("/")
def index():
    """Search (the workspace's landing page). A look with criteria is recorded; the empty form is not."""
    args = request.args
    flt, errors = _search_filter(args)
    asked = any(args.get(k) for k in SEARCH_KEYS) or "page" in args or "sort" in args
    result = audit_service().search(current_user().username, flt) if asked and not errors else None
    with waishi().db.read() as session:
        processes = inbox.process_choices(session)
        units = unit_list(session)
    filters = {k: args.get(k, "") for k in (*SEARCH_KEYS, "sort", "order")}
    return render_template("audit/search.html", result=result, errors=errors, filters=filters,
                           processes=processes, units=units, statuses=STATUSES, sorts=SORTS)


@bp.get("/search.csv")
def search_csv():
    flt, errors = _search_filter(request.args)
    if errors:
        abort(400)
    body = audit_service().search_csv(current_user().username, flt)
    return _download(body, "text/csv; charset=utf-8", "waishi-cases.csv", bom=True)


@bp.get("/cases/<int:case_id>")
def replay(case_id: int):
    """The step-by-step replay page; `?step=k` (default: the last step) works without JavaScript."""
    step = _int(request.args.get("step"))
    header, replayed = audit_service().replay(current_user().username, case_id, step=step)
    context = step_context(header, replayed, step or len(replayed.steps))
    return render_template("audit/replay.html", case=header, replay=replayed, has_viewer=has_vendor(VIEWER_SCRIPT),
                           **context)


@bp.get("/cases/<int:case_id>/steps/<int:k>")
def step_fragment(case_id: int, k: int):
    """One step's panel, for the page's script (the case is re-executed once and cached, so this
    is a look-up; opening the page was the recorded look)."""
    header, replayed = audit_service().replay(current_user().username, case_id, record=False)
    return render_template("audit/_step.html", case=header, replay=replayed, **step_context(header, replayed, k))


@bp.get("/cases/<int:case_id>/diagram.bpmn")
def diagram(case_id: int):
    with waishi().db.read() as session:
        audit_service().case(current_user().username, case_id)
        content = case_bpmn(session, case_id)
    return Response(content, mimetype="application/xml")


@bp.get("/cases/<int:case_id>/steps/<int:k>/diagram.svg")
def step_svg(case_id: int, k: int):
    """The diagram at step k drawn on the server (the page without JavaScript shows this)."""
    from engine.audit.svg import render_svg

    header, replayed = audit_service().replay(current_user().username, case_id, record=False)
    step = replayed.step(k)
    with waishi().db.read() as session:
        content = case_bpmn(session, case_id)
    svg = render_svg(content, header.process_id, states=step.states(), flows=step.flows)
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/cases/<int:case_id>/verify")
def verify(case_id: int):
    user = current_user()
    report = audit_service().verify_case(user.username, case_id)
    header = audit_service().case(user.username, case_id)
    return render_template("audit/verify.html", case=header, report=report)


@bp.get("/cases/<int:case_id>/events.<fmt>")
def events(case_id: int, fmt: str):
    if fmt not in ("csv", "json"):
        abort(404)
    body = audit_service().events(current_user().username, case_id, fmt)
    if fmt == "json":
        return _download(body, "application/json", f"waishi-case-{case_id}-events.json")
    return _download(body, "text/csv; charset=utf-8", f"waishi-case-{case_id}-events.csv", bom=True)


@bp.get("/cases/<int:case_id>/report.pdf")
def report(case_id: int):
    pdf = report_pdf(current_user().username, case_id)
    return _download(pdf, "application/pdf", f"waishi-case-{case_id}-audit.pdf")


@bp.get("/heatmap")
def heatmap():
    args = request.args
    with waishi().db.read() as session:
        versions = process_versions(session)
        units = unit_list(session)
    version_id = _int(args.get("version")) or (versions[0].id if versions else None)
    started_from, started_to = _date(args.get("from")), _date(args.get("to"))
    result, names = None, {}
    if version_id is not None and any(v.id == version_id for v in versions):
        result = audit_service().heatmap(current_user().username, HeatmapFilter(
            version_id, started_from, started_to, args.get("unit") or None))
        with waishi().db.read() as session:
            names = element_names(version_bpmn(session, version_id))
    filters = {"version": version_id or "", "from": args.get("from", ""), "to": args.get("to", ""),
               "unit": args.get("unit", "")}
    return render_template("audit/heatmap.html", versions=versions, units=units, result=result, filters=filters,
                           names=names, has_viewer=has_vendor(VIEWER_SCRIPT))


@bp.get("/versions/<int:version_id>/diagram.bpmn")
def version_diagram(version_id: int):
    with waishi().db.read() as session:  # the role was checked before the request
        content = version_bpmn(session, version_id)
    return Response(content, mimetype="application/xml")


@bp.get("/log")
def log():
    page = max(1, _int(request.args.get("page")) or 1)
    everything = request.args.get("all") == "1"
    entries, total = audit_service().access_log(current_user().username, page=page, only_audit=not everything)
    return render_template("audit/log.html", entries=entries, total=total, page=page, everything=everything,
                           pages=max(1, -(-total // 100)))


@bp.get("/heatmap.svg")
def heatmap_svg():
    """The heatmap drawn on the server: counts as badges, tasks coloured by median time."""
    from engine.audit.svg import render_svg

    args = request.args
    version_id = _int(args.get("version"))
    if version_id is None:
        abort(404)
    result = audit_service().heatmap(current_user().username, HeatmapFilter(
        version_id, _date(args.get("from")), _date(args.get("to")), args.get("unit") or None), record=False)
    with waishi().db.read() as session:
        content = version_bpmn(session, version_id)
    overlays = {k: str(v) for k, v in {**result.elements, **result.flows}.items()}
    svg = render_svg(content, result.process_id, overlays=overlays, heat=result.heat(), flows=result.flows.keys())
    return Response(svg, mimetype="image/svg+xml")


bp.add_url_rule("/seals", "seals", seal_views.index, methods=["GET"])
bp.add_url_rule("/seals/<int:seal_id>", "seal", seal_views.show, methods=["GET"])
bp.add_url_rule("/seals/<int:seal_id>.json", "seal_json", seal_views.export, methods=["GET"])


@bp.context_processor
def audit_labels():
    return {"duration": audit_labels_module.duration, "access_name": audit_labels_module.access_name}


# -- helpers ----------------------------------------------------------------------------------


def _search_filter(args) -> tuple[SearchFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    number = (args.get("number") or "").strip().lstrip("#")
    case_id = None
    if number:
        if number.isdigit() and len(number) < 10:
            case_id = int(number)
        else:
            errors["number"] = _("A case number is a whole number.")
    version = _int(args.get("version"))
    if args.get("version") and version is None:
        errors["version"] = _("A version is a whole number.")
    started_from, started_to = _date(args.get("from")), _date(args.get("to"))
    if args.get("from") and started_from is None:
        errors["from"] = _("Give a date as YYYY-MM-DD.")
    if args.get("to") and started_to is None:
        errors["to"] = _("Give a date as YYYY-MM-DD.")
    if started_from and started_to and started_from > started_to:
        errors["to"] = _("The end of the range is before its start.")
    status = args.get("status") or None
    sort = args.get("sort") if args.get("sort") in SORTS else "started"
    flt = SearchFilter(
        case_id=case_id, unit_code=(args.get("unit") or None), person=_text(args.get("person")),
        process_id=(args.get("process") or None), version=version,
        status=status if status in STATUSES else None, country=_text(args.get("country")),
        document=_text(args.get("document")), started_from=started_from, started_to=started_to,
        sort=sort, descending=args.get("order") != "asc", page=max(1, _int(args.get("page")) or 1))
    return flt, errors


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:100] or None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _download(body: str | bytes, mimetype: str, filename: str, *, bom: bool = False) -> Response:
    if isinstance(body, str):
        # A byte-order mark, so that spreadsheet programs read the Chinese in a CSV as UTF-8.
        body = ("\ufeff" if bom else "").encode() + body.encode()
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

