"""The native libraries WeasyPrint loads, and which of them this machine lacks.

WeasyPrint opens its libraries with dlopen when it is imported (weasyprint/text/ffi.py): five are required
and it fails to import without them; HarfBuzz's subset library is optional to WeasyPrint, which then subsets
the fonts of every PDF with fontTools instead (deprecated, slower, and a warning on every report), so we
require it too. `./zw up`, `./zw test` and the Dockerfile install what `missing()` names, and the system
check `reports.W001` names anything still missing when Django starts.

Plain standard library on purpose: `./zw` runs this file with the system Python, before the virtual
environment exists:

    python3 reports/native.py              # a table: each library, present or missing, and why it matters
    python3 reports/native.py --debs       # the Debian packages of the missing ones, space-separated
    python3 reports/native.py --check      # exit 1 if a required or recommended library is missing
"""

from __future__ import annotations

import ctypes
import glob
import sys
from dataclasses import dataclass

REQUIRED = "required"
RECOMMENDED = "recommended"  # WeasyPrint works without it, worse; we install it everywhere
OPTIONAL = "optional"  # only for documents we do not make


@dataclass(frozen=True)
class NativeLibrary:
    """One shared library WeasyPrint dlopens, under the name it tries on Linux, with its Debian package."""

    soname: str
    package: str
    need: str
    purpose: str


LIBRARIES = (
    NativeLibrary("libgobject-2.0.so.0", "libglib2.0-0", REQUIRED, "GObject, which Pango is built on"),
    NativeLibrary("libpango-1.0.so.0", "libpango-1.0-0", REQUIRED, "text layout"),
    NativeLibrary("libpangoft2-1.0.so.0", "libpangoft2-1.0-0", REQUIRED, "Pango's fontconfig and FreeType fonts"),
    NativeLibrary("libharfbuzz.so.0", "libharfbuzz0b", REQUIRED, "text shaping"),
    NativeLibrary("libfontconfig.so.1", "libfontconfig1", REQUIRED, "finding the fonts"),
    NativeLibrary(
        "libharfbuzz-subset.so.0",
        "libharfbuzz-subset0",
        RECOMMENDED,
        "font subsetting in the PDF (without it: fontTools, deprecated, slower, a warning per report)",
    ),
    NativeLibrary(
        "libharfbuzz-vector.so.0",
        "",  # HarfBuzz 11+; Debian 12 has no package for it
        OPTIONAL,
        "colour (COLR) glyphs as vectors; our reports use DejaVu, which has none",
    ),
)
# The reports' font (static/css/pdf/report.css names DejaVu Sans first): without it, fontconfig picks another.
FONT_PACKAGE = "fonts-dejavu-core"
FONT_GLOB = "/usr/share/fonts/**/DejaVuSans.ttf"


def loadable(soname: str) -> bool:
    """Whether dlopen finds `soname` the way WeasyPrint asks for it."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def font_present() -> bool:
    return bool(glob.glob(FONT_GLOB, recursive=True))


def missing(*, needs: tuple[str, ...] = (REQUIRED, RECOMMENDED)) -> list[NativeLibrary]:
    """The libraries of those `needs` that dlopen cannot find here."""
    return [lib for lib in LIBRARIES if lib.need in needs and not loadable(lib.soname)]


def missing_packages() -> list[str]:
    """The Debian packages that would bring what is missing (required and recommended, and the font)."""
    packages = [lib.package for lib in missing() if lib.package]
    if not font_present():
        packages.append(FONT_PACKAGE)
    return packages


def main(argv: list[str]) -> int:
    if "--debs" in argv:
        print(" ".join(missing_packages()))
        return 0
    for lib in LIBRARIES:
        state = "ok" if loadable(lib.soname) else "MISSING"
        print(f"{state:8} {lib.need:12} {lib.soname:26} {lib.package or '(no Debian package)':22} {lib.purpose}")
    print(f"{'ok' if font_present() else 'MISSING':8} {'required':12} {'DejaVu Sans':26} {FONT_PACKAGE:22} the font")
    if "--check" in argv:
        return 1 if missing_packages() or missing() else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
