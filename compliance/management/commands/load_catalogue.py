"""`manage.py load_catalogue`: validate every catalogue data file, then load what changed."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.loader import CATALOGUE_DIR, CatalogueError, load, read_all


class Command(BaseCommand):
    help = "Validate and load the IEC 62443 catalogue data files (idempotent; nothing is written on error)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=CATALOGUE_DIR, help="folder of *.yaml data files")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            datas = read_all(options["dir"])
            report = load(datas)
        except CatalogueError as exc:
            raise CommandError(f"Catalogue refused, nothing written: {exc}") from exc
        for data in datas:
            state = "loaded" if data.file in report.loaded else "unchanged"
            assessable = sum(1 for item in data.items if item.assessable)
            self.stdout.write(
                f"{data.file}: {data.edition}, data {data.version}: {len(data.items)} items "
                f"({assessable} assessable) — {state}"
            )
