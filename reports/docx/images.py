"""Pictures for Word documents. Word needs a raster image (an SVG part is an Office 2016 extension that
still needs a PNG beside it), and WeasyPrint only writes PDF: the site diagram's SVG is drawn to PNG by
CairoSVG over the system's cairo library (decision 0030)."""

from __future__ import annotations

SCALE = 2.0  # twice the SVG's own pixel size: sharp when printed at 17 cm wide


def svg_to_png(svg: str, *, scale: float = SCALE) -> bytes:
    """The PNG of `svg` (our own diagrams: presentation attributes only, no external references)."""
    try:
        import cairosvg
    except OSError as exc:  # the Python package is there but the cairo library is not
        raise RuntimeError(
            "The site diagram cannot be drawn: the cairo library (Debian package libcairo2) is missing on this worker."
        ) from exc
    png = cairosvg.svg2png(bytestring=svg.encode(), scale=scale, unsafe=False)
    assert isinstance(png, bytes)
    return png
