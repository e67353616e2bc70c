"""The engine services of the running app, for the views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from webapp import Waishi


def waishi() -> Waishi:
    return current_app.extensions["waishi"]
