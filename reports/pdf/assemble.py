"""Merging a report's parts into one PDF (decision 0039): pages in order, "Page x of y" stamped on every page
but the cover, internal links and the contents pointing at the right pages, and the bookmarks rebuilt.

The page numbers are a second small WeasyPrint document of N empty pages with only the footer (same font,
size, colour and margins as report.css), each page of which becomes a form XObject drawn after the
page's own content: nothing of the parts' content streams is parsed or rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    Fit,
    IndirectObject,
    NameObject,
    OutlineItem,
)
from weasyprint import HTML

from reports.pdf.fetcher import BASE_URL, ProjectFilesFetcher
from reports.pdf.render import _listening

_FOOTER = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 22mm 16mm 20mm 18mm;
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font-family: "DejaVu Sans", sans-serif;
    font-size: 7.5pt; color: #5b6675; vertical-align: top; padding-top: 3mm; }} }}
@page :first {{ @bottom-right {{ content: none; }} }}
div {{ break-before: page; height: 1px; }}
</style></head><body>{pages}</body></html>"""
_STAMP = NameObject("/ZwPageNo")


@dataclass(frozen=True)
class Piece:
    """One part to merge: its PDF bytes and the meta gap_parts.render_part recorded."""

    data: bytes
    meta: dict[str, Any]


def page_footers(pages: int) -> bytes:
    """N pages with nothing but "Page x of y" (none on the first, the cover). Kept in the media storage by
    page count (about 4 ms a page to lay out; a re-render after a small change usually has as many pages)."""
    name = f"reports/parts/footers/{hashlib.sha256(_FOOTER.encode()).hexdigest()[:16]}-{pages}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            data: bytes = stored.read()
        return data
    html = _FOOTER.format(pages="<div></div>" * pages)
    with _listening(None, 0, 0, 0):
        data = HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesFetcher()).write_pdf()
    # Two workers saving it at once leave a renamed copy (pruned with the rest); a full disk costs the cache only.
    with contextlib.suppress(OSError):
        default_storage.save(name, ContentFile(data))
    return data


def offsets(pieces: Sequence[Piece]) -> list[int]:
    """The index in the merged document of each piece's first page."""
    out, at = [], 0
    for piece in pieces:
        out.append(at)
        at += len(piece.meta["heights"])
    return out


def global_anchors(pieces: Sequence[Piece]) -> dict[str, tuple[int, float, float]]:
    """Every anchor of every piece: (page index in the merged document, x, y)."""
    anchors: dict[str, tuple[int, float, float]] = {}
    for start, piece in zip(offsets(pieces), pieces, strict=True):
        for name, (page, x, y) in piece.meta["anchors"].items():
            anchors.setdefault(name, (start + int(page), float(x), float(y)))
    return anchors


def _stamp(writer: PdfWriter, footers: PdfReader) -> None:
    """Draw footer page i over merged page i as a form XObject, the page's own content wrapped in q/Q."""
    for page, footer in zip(writer.pages, footers.pages, strict=True):
        form = DecodedStreamObject()
        drawn = footer.get_contents()
        form.set_data(drawn.get_data() if drawn is not None else b"")
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = ArrayObject(footer.mediabox)
        form[NameObject("/Resources")] = footer["/Resources"].clone(writer)
        form_ref = writer._add_object(form)
        # WeasyPrint's pages share one /Resources: each page gets its own shallow copy naming its own footer.
        resources = DictionaryObject(cast(DictionaryObject, page["/Resources"].get_object()))
        xobjects = (
            DictionaryObject(cast(DictionaryObject, resources["/XObject"].get_object()))
            if "/XObject" in resources
            else DictionaryObject()
        )
        xobjects[_STAMP] = form_ref
        resources[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = resources
        before, after = DecodedStreamObject(), DecodedStreamObject()
        before.set_data(b"q\n")
        after.set_data(b"\nQ q /ZwPageNo Do Q\n")
        contents = page.get("/Contents")
        drawn_own = contents.get_object() if contents is not None else None
        own = list(drawn_own) if isinstance(drawn_own, ArrayObject) else [contents] if contents is not None else []
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *own, writer._add_object(after)])


def _drop_internal_links(writer: PdfWriter) -> None:
    """The parts' own links point at named destinations of their part; the merged document gets new ones."""
    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject(
            a
            for a in annots.get_object()
            if not (a.get_object().get("/Subtype") == "/Link" and "/Dest" in a.get_object())
        )
        page[NameObject("/Annots")] = kept


def _links(writer: PdfWriter, pieces: Sequence[Piece], anchors: dict[str, tuple[int, float, float]]) -> int:
    count = 0
    for start, piece in zip(offsets(pieces), pieces, strict=True):
        for page, name, rect in piece.meta["links"]:
            target = anchors.get(name)
            if target is None:
                continue
            link = Link(rect=tuple(rect), target_page_index=target[0], fit=Fit.xyz(target[1], target[2], 0))
            writer.add_annotation(start + int(page), link)
            count += 1
    return count


def _bookmarks(writer: PdfWriter, pieces: Sequence[Piece]) -> list[tuple[int, str, int]]:
    """Rebuild the outline from every piece's headings, nested by their bookmark level."""
    stack: list[tuple[int, IndirectObject | OutlineItem | None]] = [(0, None)]
    flat: list[tuple[int, str, int]] = []
    for start, piece in zip(offsets(pieces), pieces, strict=True):
        for page, level, label, x, y in piece.meta["bookmarks"]:
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1]
            item = writer.add_outline_item(
                title=label, page_number=start + int(page), parent=parent, fit=Fit.xyz(x, y, 0)
            )
            stack.append((int(level), item))
            flat.append((int(level), str(label), start + int(page)))
    return flat


def assemble(pieces: Sequence[Piece], *, metadata: dict[str, str] | None = None) -> tuple[bytes, int]:
    """Merge `pieces` (the front first) into one PDF: its bytes and its page count."""
    writer = PdfWriter()
    for piece in pieces:
        writer.append(PdfReader(io.BytesIO(piece.data)), import_outline=False)
    total = len(writer.pages)
    _drop_internal_links(writer)
    _stamp(writer, PdfReader(io.BytesIO(page_footers(total))))
    _links(writer, pieces, global_anchors(pieces))
    _bookmarks(writer, pieces)
    writer.page_mode = "/UseOutlines"
    # As WeasyPrint says of a document it writes whole: who made it and when (pypdf would name only itself).
    made = datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({"/Producer": f"WeasyPrint {weasyprint.__version__}, pypdf", "/CreationDate": made,
                         "/ModDate": made, **(metadata or {})})  # fmt: skip
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), total
