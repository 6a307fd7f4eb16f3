"""Benchmark of a large asset CSV import while someone else saves: how long the import holds the write lock
and what happens to the other person's save.

    .venv/bin/python bench/import_bench.py                    # SQLite (the embedded default), 12,000 rows, 3 runs
    .venv/bin/python bench/import_bench.py --db postgres      # the same on PostgreSQL (zonewise_bench_import)
    .venv/bin/python bench/import_bench.py --rows 2000 --runs 1

Each run builds a fresh site with four zones, then imports a file of `--rows` new assets ("create") and
the same file again with every firmware changed ("update": every row matched by tag and changed). Meanwhile
a second thread, with its own database connection, saves a zone of another site through the zones service
every 50 ms, as a colleague editing elsewhere would. Printed per phase: the import's wall time, the longest
transaction of the importing thread (on SQLite, BEGIN IMMEDIATE takes the database's one write lock, so
this is how long every other writer is shut out; on PostgreSQL only the rows written are locked), and the
concurrent saves: how many, how many failed (and why), their median, p95 and longest wait.

SQLite uses a fresh data folder under /tmp (removed at the end); PostgreSQL a database recreated each run
and dropped at the end. Benchmarks, not timed tests: the figures depend on whatever else runs on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common

PG_DB = "zonewise_bench_import"
SAVE_EVERY = 0.05


@dataclass
class Phase:
    """The figures of one import while the other thread saves."""

    name: str
    wall: float = 0.0
    hold: float = 0.0  # the importing thread's longest transaction
    waits: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class TransactionClock:
    """Times the transactions of one thread: from the moment BEGIN returned (the write lock taken, on
    SQLite with transaction_mode IMMEDIATE) to the end of COMMIT or ROLLBACK."""

    def __init__(self) -> None:
        self.thread: int | None = None
        self.started: float | None = None
        self.longest = 0.0

    def install(self) -> None:
        from django.db.backends.base.base import BaseDatabaseWrapper

        clock = self
        set_autocommit, commit, rollback = (
            BaseDatabaseWrapper.set_autocommit,
            BaseDatabaseWrapper.commit,
            BaseDatabaseWrapper.rollback,
        )

        def timed_set_autocommit(self: Any, autocommit: bool, *args: Any, **kwargs: Any) -> None:
            set_autocommit(self, autocommit, *args, **kwargs)
            if not autocommit and threading.get_ident() == clock.thread:
                clock.started = time.perf_counter()

        def ended(method: Any) -> Any:
            def timed(self: Any) -> None:
                method(self)
                if threading.get_ident() == clock.thread and clock.started is not None:
                    clock.longest = max(clock.longest, time.perf_counter() - clock.started)
                    clock.started = None

            return timed

        BaseDatabaseWrapper.set_autocommit = timed_set_autocommit  # type: ignore[method-assign]
        BaseDatabaseWrapper.commit = ended(commit)  # type: ignore[method-assign]
        BaseDatabaseWrapper.rollback = ended(rollback)  # type: ignore[method-assign]


def csv_file(rows: int, firmware: str) -> bytes:
    """`rows` assets spread over the four zones, every column filled, tags unique."""
    lines = [
        "zone,name,tag,component_type,role,vendor,model,firmware,network_addresses,sl_capability,"
        "sl_capability_source,end_of_support,legacy,criticality"
    ]
    for i in range(rows):
        lines.append(
            f"Zone {i % 4},Asset {i},T-{i:05d},{('EDR', 'HDR', 'NDR', 'SAR')[i % 4]},other,Vendor,Model {i % 7},"
            f'{firmware},10.{i // 65536}.{i // 256 % 256}.{i % 256},"{{2,2,1,1,2,1,2}}",vendor_claim,'
            "2031-12-31,no,medium"
        )
    return ("\n".join(lines) + "\n").encode()


def saver(zone_pk: Any, stop: threading.Event, phase: Phase) -> None:
    """Save a zone of another site every SAVE_EVERY seconds until `stop`, on this thread's own connection."""
    from django.db import OperationalError, connection

    from zones import services
    from zones.models import Zone

    n = 0
    try:
        while not stop.is_set():
            n += 1
            started = time.perf_counter()
            try:
                zone = Zone.objects.get(pk=zone_pk)
                services.zone_save(zone=zone, fields={"description": f"edit {n}"})
            except OperationalError as exc:
                phase.failures.append(f"{type(exc).__name__}: {exc} after {time.perf_counter() - started:.1f} s")
            else:
                phase.waits.append(time.perf_counter() - started)
            stop.wait(SAVE_EVERY)
    finally:
        connection.close()


def run_once(rows: int, run: int, clock: TransactionClock) -> list[Phase]:
    """One run: a fresh site, its file imported new, then again as updates, each with the saver running."""
    from accounts.models import Organization
    from compliance.sl import SLVector
    from zones import csv_io
    from zones.models import Site, Zone

    org = Organization.objects.create(name=f"Bench org {run} {time.time()}")
    site = Site.objects.create(organization=org, name="Imported plant")
    for z in range(4):
        Zone.objects.create(site=site, name=f"Zone {z}", sl_target=SLVector.parse("{2,2,2,2,2,2,2}"))
    other = Site.objects.create(organization=org, name="Elsewhere")
    edited = Zone.objects.create(site=other, name="Edited zone", sl_target=SLVector.parse("{1,1,1,1,1,1,1}"))
    phases = []
    for name, firmware, expected in (("create", "1.0", "created"), ("update", "2.0", "updated")):
        phase = Phase(name)
        stop = threading.Event()
        thread = threading.Thread(target=saver, args=(edited.pk, stop, phase), daemon=True)
        thread.start()
        try:
            time.sleep(0.3)  # the saver is under way before the import starts
            clock.thread, clock.longest = threading.get_ident(), 0.0
            started = time.perf_counter()
            result = csv_io.import_assets_csv(site=site, data=csv_file(rows, firmware))
            phase.wall = time.perf_counter() - started
            phase.hold, clock.thread = clock.longest, None
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join()
        assert getattr(result, expected) == rows, result
        phases.append(phase)
    return phases


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rows", type=int, default=12_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="helper-import-bench-", dir=os.environ.get("BENCH_TMP")))
    os.environ["ZONEWISE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("DATABASE_URL", None)
    if args.db == "postgres":
        _common.recreate_database(PG_DB)
        os.environ["DATABASE_URL"] = _common.database_url(PG_DB)
    os.environ["CSV_IMPORT_MAX_BYTES"] = str(50 * 1024 * 1024)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        clock = TransactionClock()
        clock.install()
        phases: dict[str, list[Phase]] = {"create": [], "update": []}
        for run in range(args.runs):
            for phase in run_once(args.rows, run, clock):
                phases[phase.name].append(phase)
                print(
                    f"run {run + 1} {phase.name}: import {phase.wall:.1f} s, longest transaction {phase.hold:.2f} s, "
                    f"{len(phase.waits)} concurrent saves ok (longest {max(phase.waits, default=0):.2f} s), "
                    f"{len(phase.failures)} failed",
                    flush=True,
                )
                for failure in phase.failures[:3]:
                    print(f"    {failure}")
        print()
        print(f"{args.db}, {args.rows} rows, {args.runs} runs; {os.cpu_count()} CPUs, {platform.python_version()}")
        print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
        print(
            "| phase | import median (p95) | longest transaction median (p95) | concurrent saves | failed | "
            "save wait median / p95 / max |"
        )
        print("|---|---|---|---|---|---|")
        for name, runs in phases.items():
            walls, holds = [p.wall for p in runs], [p.hold for p in runs]
            waits = [w for p in runs for w in p.waits]
            failed = sum(len(p.failures) for p in runs)
            print(
                f"| {name} | {statistics.median(walls):.1f} s ({pct(walls, 0.95):.1f} s) | "
                f"{statistics.median(holds):.2f} s ({pct(holds, 0.95):.2f} s) | {len(waits) + failed} | {failed} | "
                f"{statistics.median(waits) if waits else 0:.3f} / {pct(waits, 0.95):.3f} / "
                f"{max(waits, default=0):.2f} s |"
            )
    finally:
        connection.close()
        if args.db == "postgres":
            _common.drop_database(PG_DB)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
