"""The report's outline: numbered sections with anchors, for the table of contents and the headings.

Page numbers are not known here: the template links each entry to its anchor and the print CSS asks
WeasyPrint for `target-counter(attr(href url), page)`. PDF bookmarks come from the headings'
`bookmark-level` in the same CSS, so the contents page, the bookmarks and the headings cannot disagree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    number: str
    title: str
    level: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass
class Outline:
    """Sections in reading order; `add` numbers them (1, 2, 2.1 ...; appendices A, B ...)."""

    entries: list[TocEntry] = field(default_factory=list)
    _counters: list[int] = field(default_factory=lambda: [0, 0])
    _appendix: int = 0

    def add(self, anchor: str, title: str, level: int = 1) -> TocEntry:
        if level == 1:
            self._counters = [self._counters[0] + 1, 0]
            number = str(self._counters[0])
        else:
            self._counters[1] += 1
            number = f"{self._counters[0]}.{self._counters[1]}"
        return self._append(TocEntry(anchor, number, title, level))

    def appendix(self, anchor: str, title: str) -> TocEntry:
        self._appendix += 1
        return self._append(TocEntry(anchor, f"Appendix {chr(ord('A') + self._appendix - 1)}", title, 1))

    def _append(self, entry: TocEntry) -> TocEntry:
        if any(e.anchor == entry.anchor for e in self.entries):
            raise ValueError(f"duplicate anchor {entry.anchor!r}")
        self.entries.append(entry)
        return entry


def anchor(kind: str, pk: uuid.UUID) -> str:
    """The id of a zone's or conduit's section ("zone-<uuid>"), for headings and links into them."""
    return f"{kind}-{pk}"
