"""`manage.py load_catalogue`: validate every catalogue and guidance data file, then load what changed."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.loader import CATALOGUE_DIR, CatalogueError, load, read_all, read_guidance


class Command(BaseCommand):
    help = "Validate and load the IEC 62443 catalogue data files (idempotent; nothing is written on error)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=CATALOGUE_DIR, help="folder of *.yaml data files")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            datas = read_all(options["dir"])
            guidance = read_guidance(datas, options["dir"])
            report = load(datas, guidance)
        except CatalogueError as exc:
            raise CommandError(f"Catalogue refused, nothing written: {exc}") from exc
        for data in datas:
            state = "loaded" if data.file in report.loaded else "unchanged"
            assessable = sum(1 for item in data.items if item.assessable)
            self.stdout.write(
                f"{data.file}: {data.edition}, data {data.version}: {len(data.items)} items "
                f"({assessable} assessable) — {state}"
            )
        for g in guidance:
            total = next(len(d.items) for d in datas if d.part == g.part)
            self.stdout.write(
                f"{g.file}: guidance {g.version} for {len(g.texts)} of {total} items — "
                f"{report.guidance_updated[g.file]} requirement rows updated"
            )
