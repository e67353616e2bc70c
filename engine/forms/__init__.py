"""Camunda Forms (form-js JSON) on the server: the typed model the web layer renders, and the
validation every submission passes before it touches case data."""

from engine.forms.html import unflatten
from engine.forms.model import Field, FormSpec, Option, Rules
from engine.forms.parse import load_form_spec, parse_form
from engine.forms.prefill import blank_row, initial_values
from engine.forms.validate import validate_submission

__all__ = ["Field", "FormSpec", "Option", "Rules", "blank_row", "initial_values", "load_form_spec", "parse_form",
           "unflatten", "validate_submission"]
