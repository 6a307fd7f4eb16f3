"""Write static/css/palette.css from core/palette.py (run it after changing the palette)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from core.palette import palette_css


def palette_css_path() -> Path:
    """Where the generated stylesheet lives: static/css/palette.css in the source tree."""
    return Path(settings.BASE_DIR) / "static" / "css" / "palette.css"


class Command(BaseCommand):
    help = "Write static/css/palette.css (the colour custom properties) from core/palette.py."

    def handle(self, *args: Any, **options: Any) -> None:
        path = palette_css_path()
        path.write_text(palette_css(), encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
