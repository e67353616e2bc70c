"""Fill the empty entries of both catalogs from a table of Chinese translations (a Python file
defining ZH = {msgid: 中文} and optionally EN = {msgid: English}): the English catalog gets the
msgid itself unless EN says otherwise. Run after `make translations-update`:

    .venv/bin/python scripts/fill-catalogs.py scripts/i18n/*.py
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGS = Path(__file__).resolve().parents[1] / "webapp" / "translations"


def fill(locale: str, table: dict[str, str], english: bool) -> list[str]:
    path = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        empty = not message.string or (isinstance(message.string, tuple) and not all(message.string))
        if not empty:
            continue
        text = table.get(key) or (key if english else None)
        if text is None:
            missing.append(key)
            continue
        if isinstance(message.id, tuple):
            plural = message.id[1] if english and key not in table else text
            message.string = (text,) if locale.startswith("zh") else (text, plural)
        else:
            message.string = text
    with path.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, sort_output=True)
    return missing


def main() -> None:
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for path in sys.argv[1:]:  # every table given (scripts/i18n/*.py): later files win on a clash
        table = runpy.run_path(path)
        zh.update(table.get("ZH", {}))
        en.update(table.get("EN", {}))
    missing = fill("zh_Hans_CN", zh, english=False)
    fill("en", en, english=True)
    if missing:
        print("no Chinese for:", *missing, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
