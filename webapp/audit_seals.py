"""The seals pages of the audit workspace: the list of signed chain-head digests, one seal to
print, and its JSON to keep outside the system (`/audit/seals…`)."""

from __future__ import annotations

import json

from flask import Response, render_template

from webapp.audit_views import audit_service
from webapp.auth import current_user


def index():
    from engine.audit import keys

    rows = audit_service().seals(current_user().username)
    trusted = sorted(keys.trusted_keys())
    return render_template("audit/seals.html", seals=rows, trusted=trusted)


def show(seal_id: int):
    exported = audit_service().seal(current_user().username, seal_id)
    return render_template("audit/seal.html", seal=exported)


def export(seal_id: int):
    exported = audit_service().seal(current_user().username, seal_id)
    response = Response(json.dumps(exported, ensure_ascii=False, indent=2, default=str), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="waishi-seal-{seal_id}.json"'
    return response
