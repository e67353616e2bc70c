"""`waishi backup` and `waishi restore`: the database and the stored files, proven by a verify of the copy."""

from __future__ import annotations

from pathlib import Path

import click

from engine.cli.app import _db, main


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="WAISHI_DATA_DIR",
              default="var", show_default=True, help="Where the attachments and documents are (env WAISHI_DATA_DIR).")
@click.pass_obj
def backup(obj: dict, path: Path, data_dir: Path) -> None:
    """Back up the database and the files into the new folder PATH (docs/deploy.md)."""
    from engine.ops.backup import backup as run_backup

    result = run_backup(_db(obj["db_url"]), path, data_dir)
    rows = sum(result.tables.values())
    click.echo(f"backup {result.path}: {rows} rows in {len(result.tables)} tables, {result.files} files"
               if obj["lang"] == "en" else
               f"已备份到 {result.path}：{len(result.tables)} 张表共 {rows} 行，{result.files} 个文件")


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="WAISHI_DATA_DIR",
              default="var", show_default=True, help="Where to put the attachments and documents.")
@click.pass_obj
def restore(obj: dict, path: Path, data_dir: Path) -> None:
    """Restore the backup PATH into a new, empty database (--db) and data folder; checks it."""
    from engine.ops.backup import restore as run_restore
    from engine.storage.db import Database

    result = run_restore(path, Database(obj["db_url"]), data_dir)
    rows = sum(result.tables.values())
    click.echo(f"restored {rows} rows and {result.files} files, all as in the backup's manifest; "
               "now run `waishi audit verify --all`" if obj["lang"] == "en" else
               f"已恢复 {rows} 行、{result.files} 个文件，与备份清单一致；请再运行 `waishi audit verify --all`")
