"""The report's summary paragraphs, written from the figures in Chinese and English: overview,
destinations and purposes, compliance, invitations, processing times."""

from __future__ import annotations

from typing import Any

from engine.reports.tables import Table, change, value_of


def _t(figures: dict[str, Any], table_id: str) -> Table:
    return next(t for t in figures["tables"] if t["id"] == table_id)


def _yoy(now, before, lang: str) -> str:
    pct = change(now, before)
    if pct is None:
        return "上年同期无可比数据" if lang == "zh" else "no figure for the same period last year"
    if lang == "zh":
        return f"同比{'增长' if pct > 0 else '下降' if pct < 0 else '持平'}{abs(pct):g}%" if pct else "与上年同期持平"
    return f"{'up' if pct > 0 else 'down'} {abs(pct):g}% year on year" if pct else "the same as a year earlier"


def _top(tbl: Table, lang: str, col: int = 1, n: int = 3) -> str:
    rows = sorted((r for r in tbl["rows"] if r["values"][col]), key=lambda r: (-r["values"][col], r["key"]))[:n]
    sep = "、" if lang == "zh" else ", "
    return sep.join(f"{r[lang]}（{r['values'][col]}）" if lang == "zh" else f"{r[lang]} ({r['values'][col]})"
                    for r in rows)


def paragraphs(figures: dict[str, Any]) -> dict[str, list[str]]:
    return {lang: _paragraphs(figures, lang) for lang in ("zh", "en")}


def _paragraphs(f: dict[str, Any], lang: str) -> list[str]:
    out_t, comp, inb, proc = _t(f, "outbound_totals"), _t(f, "compliance"), _t(f, "inbound_totals"), _t(
        f, "processing_total")
    label = f["label"][lang]
    applied, approved = value_of(out_t, "applied"), value_of(out_t, "approved")
    persons = value_of(out_t, "approved", 1)
    rejected, returned = value_of(out_t, "rejected"), value_of(out_t, "returned")
    yoy = _yoy(approved, value_of(out_t, "approved", previous=True), lang)
    countries = _top(_t(f, "outbound_by_country"), lang)
    purposes = _top(_t(f, "outbound_by_purpose"), lang)
    c = {r["key"]: r["values"][0] for r in comp["rows"]}
    inv_applied, inv_approved = value_of(inb, "applied"), value_of(inb, "approved")
    inv_persons = value_of(inb, "approved", 1)
    nationalities = _top(_t(f, "inbound_by_nationality"), lang, col=2)
    visas = {r["key"]: r["values"][0] for r in _t(f, "inbound_visas")["rows"]}
    med = {r["key"]: r["values"] for r in proc["rows"]}
    if lang == "zh":
        paras = [f"{label}，全市共申报因公临时出国（境）团组{applied}个，批准{approved}个、{persons}人次，{yoy}；"
                 f"不予批准{rejected}个，退回补正{returned}个。"]
        if countries:
            paras.append(f"出访国家（地区）以{countries}为主；出访类别以{purposes}为主。")
        paras.append(f"执行纪律方面，护照7日内交回{c['passport_on_time']}个团组，逾期交回{c['passport_late']}个，"
                     f"逾期超过30天{c['passport_overdue_30']}个；出访报告逾期{c['report_late']}个；"
                     f"被暂停受理的单位{c['units_held']}个。")
        paras.append(f"邀请外国人来访共申请{inv_applied}批，批准{inv_approved}批、{inv_persons}人"
                     + (f"，主要来自{nationalities}" if nationalities else "")
                     + f"；签发签证通知函{visas['visa_notices']}批，按时销签{visas['checkout_on_time']}批，"
                     f"逾期销签{visas['checkout_late']}批。")
        if med["outbound"][0]:
            paras.append(f"出访申请自提交至签发任务批件的办理时长中位数为{med['outbound'][1]:g}小时，"
                         f"90%的申请在{med['outbound'][2]:g}小时内办结。")
        return paras
    paras = [f"In the {label[0].lower() + label[1:]}, {applied} delegations applied for official trips abroad; "
             f"{approved} were approved with {persons} person-trips ({yoy}); {rejected} were rejected and "
             f"{returned} returned for correction."]
    if countries:
        paras.append(f"The main destinations were {countries}; the main purposes {purposes}.")
    paras.append(f"Compliance: passports of {c['passport_on_time']} delegations came back within 7 days, "
                 f"{c['passport_late']} late, {c['passport_overdue_30']} more than 30 days overdue; "
                 f"{c['report_late']} trip reports were late; {c['units_held']} units were held.")
    paras.append(f"{inv_applied} invitations of foreign visitors were applied for and {inv_approved} approved, "
                 f"with {inv_persons} persons" + (f", mainly from {nationalities}" if nationalities else "")
                 + f"; {visas['visa_notices']} visa notifications were issued, {visas['checkout_on_time']} "
                 f"check-outs were on time and {visas['checkout_late']} late.")
    if med["outbound"][0]:
        paras.append(f"From submission to the task authorisation took {med['outbound'][1]:g} hours at the median; "
                     f"90% of applications were decided within {med['outbound'][2]:g} hours.")
    return paras
