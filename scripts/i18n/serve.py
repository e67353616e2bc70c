"""Translations of the serving branch (issue 10) for scripts/fill-catalogs.py.

Empty on purpose: what this branch shows people is either engine/CLI text, bilingual in the code
like every engine message (`WaishiError(zh, en)`: engine/storage/schema.py, engine/ops/backup.py,
and the `waishi` commands choosing by `--lang`), or JSON for machines (`/health`, `/ready`, logs).
No new msgid entered the web app's catalogs."""

ZH: dict[str, str] = {}
EN: dict[str, str] = {}
