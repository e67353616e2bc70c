"""Definitions: hardened parsing, validation, content-addressed versions and the spec cache."""
