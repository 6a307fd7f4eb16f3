"""System checks of what the PDF reports need from the machine (`manage.py check`, run by `./zw test`)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from reports import native


@register(Tags.compatibility)
def weasyprint_native_libraries(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A warning per required or recommended native library that WeasyPrint cannot open here, and for the
    reports' font: WeasyPrint only warns at import for some of them, in every worker's log."""
    problems: list[CheckMessage] = [
        Warning(
            f"{lib.soname} ({lib.need} by WeasyPrint: {lib.purpose}) cannot be loaded.",
            hint=f"Install the Debian package {lib.package} (./zw up and ./zw test do so as root).",
            id="reports.W001",
        )
        for lib in native.missing()
    ]
    if not native.font_present():
        problems.append(
            Warning(
                "The reports' font, DejaVu Sans, is not installed: PDFs would use whatever font fontconfig finds.",
                hint=f"Install the Debian package {native.FONT_PACKAGE}.",
                id="reports.W002",
            )
        )
    return problems
