"""The web app fixtures of tests/web (the app on the per-test database, compiled catalogs)."""

from tests.web.conftest import app, compiled_catalogs, make_web, web  # noqa: F401
