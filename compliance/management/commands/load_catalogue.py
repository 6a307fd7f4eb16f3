"""`manage.py load_catalogue`: validate every catalogue, guidance and framework data file, then load what
changed. The frameworks (alignment/frameworks/) are validated against the 62443-3-3 ids of the catalogue
being loaded, and the whole run is one transaction: one bad file and nothing is written."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from alignment.loader import FRAMEWORKS_DIR, load_frameworks, read_frameworks, system_refs
from compliance.loader import CATALOGUE_DIR, CatalogueError, load, read_all, read_guidance


class Command(BaseCommand):
    help = "Validate and load the IEC 62443 catalogue and framework data files (idempotent; all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=CATALOGUE_DIR, help="folder of *.yaml data files")
        parser.add_argument(
            "--frameworks-dir", type=Path, default=FRAMEWORKS_DIR, help="folder of framework *.yaml data files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            datas = read_all(options["dir"])
            guidance = read_guidance(datas, options["dir"])
            frameworks = read_frameworks(system_refs(datas), options["frameworks_dir"])
            with transaction.atomic():
                report = load(datas, guidance)
                framework_report = load_frameworks(frameworks)
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
        for f in frameworks:
            state = "loaded" if f.file in framework_report.loaded else "unchanged"
            mapped = sum(1 for item in f.items if item.mappings)
            self.stdout.write(
                f"{f.file}: {f.short_name}, data {f.version}: {len(f.items)} items ({mapped} mapped) — {state}"
            )
