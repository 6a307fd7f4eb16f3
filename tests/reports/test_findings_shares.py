"""The findings table is cut into parts where its rows say, so that one finding more or less re-renders one part
(decision 0039), and its numbers do not move."""

from __future__ import annotations

import random

from reports.pdf.gap_findings import FindingRow
from reports.pdf.gap_parts import FINDINGS_PART_MAX, FINDINGS_PART_MIN, findings_shares


def _rows(count: int, seed: int = 7) -> list[FindingRow]:
    rng = random.Random(seed)
    return [
        FindingRow(f"F{n:04d}", "t", "Zone", "", "SR 1.1", "Not met", "", "", key=f"{rng.getrandbits(64):x}")
        for n in range(count)
    ]


def _keys(shares: list[list[FindingRow]]) -> list[tuple[str, ...]]:
    return [tuple(row.key for row in share) for share in shares]


def test_shares_keep_every_row_in_order_within_the_bounds() -> None:
    rows = _rows(2000)
    shares = findings_shares(rows)
    assert [row for share in shares for row in share] == rows
    assert len(shares) > 5
    assert all(FINDINGS_PART_MIN <= len(share) <= FINDINGS_PART_MAX for share in shares[:-1])
    assert findings_shares([]) == []


def test_one_row_more_or_less_changes_one_share_only() -> None:
    rows = _rows(2000)
    before = set(_keys(findings_shares(rows)))
    for at in (3, 700, 1500, 1999):
        added = rows[:at] + _rows(1, seed=at) + rows[at:]
        after = set(_keys(findings_shares(added)))
        assert len(after - before) <= 2 and len(before - after) <= 2, at  # its share (split in two at most)
        removed = rows[:at] + rows[at + 1 :]
        after = set(_keys(findings_shares(removed)))
        assert len(after - before) == 1 and len(before - after) <= 2, at  # its share (or it merges with the next)
