"""The few WordprocessingML features python-docx has no API for, as small element builders: fields (the
table of contents, page numbers), internal bookmarks and links, a table's repeated header row, cell shading
and fixed column widths. Each writes what Word itself writes, so Word and LibreOffice open the file without
repair."""

from __future__ import annotations

import re
from collections.abc import Sequence

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

# XML 1.0 refuses most control characters; a stray one in an observation must not make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """`text` without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def _run_with(paragraph: Paragraph, *children: BaseOxmlElement) -> None:
    run = OxmlElement("w:r")
    for child in children:
        run.append(child)
    paragraph._p.append(run)


def _fld_char(kind: str) -> BaseOxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _instr(code: str) -> BaseOxmlElement:
    element = OxmlElement("w:instrText")
    element.set(qn("xml:space"), "preserve")
    element.text = f" {code} "
    return element


def field_begin(paragraph: Paragraph, code: str) -> None:
    """Open a complex field (`code` such as `PAGE` or `TOC \\o "1-3"`); what follows up to `field_end` is
    its current result, which Word replaces when it updates the field."""
    _run_with(paragraph, _fld_char("begin"))
    _run_with(paragraph, _instr(code))
    _run_with(paragraph, _fld_char("separate"))


def field_end(paragraph: Paragraph) -> None:
    _run_with(paragraph, _fld_char("end"))


def simple_field(paragraph: Paragraph, code: str, shown: str) -> None:
    """A one-run field such as PAGE or NUMPAGES, showing `shown` until it is updated."""
    field_begin(paragraph, code)
    text = OxmlElement("w:t")
    text.text = shown
    _run_with(paragraph, text)
    field_end(paragraph)


def bookmark(paragraph: Paragraph, name: str, ident: int) -> None:
    """Wrap the paragraph's content in the bookmark `name` (the target of a link or a contents entry)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    p_pr = paragraph._p.pPr
    paragraph._p.insert(0 if p_pr is None else 1, start)
    paragraph._p.append(end)


def internal_link(paragraph: Paragraph, text: str, anchor: str) -> None:
    """A link to the bookmark `anchor` of this document, as plain text (its paragraph style shows it)."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = clean(text)
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def update_fields_on_open(document: Document) -> None:
    """Ask Word to update the fields (the contents' page numbers) when the file is opened."""
    settings = document.settings.element
    element = settings.find(qn("w:updateFields"))
    if element is None:
        element = OxmlElement("w:updateFields")
        settings.append(element)
    element.set(qn("w:val"), "true")


def repeat_as_header(row: _Row) -> None:
    """Repeat `row` at the top of every page the table runs onto, and never split it."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def shade(cell: _Cell, fill: str) -> None:
    """Fill the cell with the colour `fill` ("#rrggbb")."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.lstrip("#").upper())
    cell._tc.get_or_add_tcPr().append(shd)


def fixed_widths(table: Table, widths: Sequence[Length]) -> None:
    """Lay the table out at these column widths: Word reads the cells' widths, LibreOffice the grid's."""
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = width
    for row in table.rows:
        width_cells(row.cells, widths)


def width_cells(cells: Sequence[_Cell], widths: Sequence[Length]) -> None:
    for cell, width in zip(cells, widths, strict=True):
        cell.width = width
