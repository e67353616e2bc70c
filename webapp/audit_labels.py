"""Names the audit pages show for what they count: durations, and the kinds of look recorded on
the system chain."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACCESS = {
    "audit_search": _l("Searched cases"),
    "audit_replay": _l("Replayed a case"),
    "audit_verify": _l("Verified a case"),
    "audit_heatmap": _l("Looked at a heatmap"),
    "audit_export": _l("Exported"),
    "audit_log": _l("Read the access log"),
    "audit_seals": _l("Looked at the seals"),
    "audit_case": _l("Opened a case page"),
}


def access_name(command: str) -> str:
    label = ACCESS.get(command)
    return str(label) if label is not None else command


def duration(seconds: float | None) -> str:
    """A time span as people say it: minutes, hours or days, one decimal at most."""
    if seconds is None:
        return "—"
    seconds = float(seconds)
    if seconds < 3600:
        return _("%(n)d min", n=round(seconds / 60))
    if seconds < 86400:
        return _("%(n)s h", n=f"{seconds / 3600:.1f}".rstrip("0").rstrip("."))
    return _("%(n)s days", n=f"{seconds / 86400:.1f}".rstrip("0").rstrip("."))
