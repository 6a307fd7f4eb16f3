"""What the benchmarks share: the PostgreSQL database a run recreates and drops, and the description of the
machine and the code that a run's figures belong to (figures mean little without them)."""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def database_url(name: str) -> str:
    """The DATABASE_URL of the benchmark's own database on the local PostgreSQL."""
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    """Drop the database, closing whatever sessions still use it."""
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def recreate_database(name: str) -> None:
    """A fresh, empty database for every run (what an earlier run left is dropped)."""
    import psycopg

    drop_database(name)
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")


def proc_field(path: str, key: str) -> str:
    """The value of the first `key: value` line of a /proc file, or "?"."""
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return "?"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)  # noqa: S603, S607


def code_version() -> str:
    """The commit measured (and whether the working tree changed it); BENCH_CODE overrides it, e.g. for a
    snapshot made with git archive."""
    log = _git("log", "-1", "--format=%h %s")
    if log.returncode != 0:
        return os.environ.get("BENCH_CODE", f"{ROOT} (not a git checkout)")
    code = log.stdout.strip()[:70]
    if _git("status", "--porcelain", "--untracked-files=no").stdout.strip():
        code += " + uncommitted changes"
    return os.environ.get("BENCH_CODE", code)


def machine() -> dict[str, str]:
    """The code, the date, the load, the hardware and the versions every benchmark reports. Needs Django
    set up over the benchmark's database."""
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    mem_kb = int(proc_field("/proc/meminfo", "MemTotal").split()[0])
    return {
        "code": code_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": "load average at start " + " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "cpus": f"{os.cpu_count()} ({proc_field('/proc/cpuinfo', 'model name')})",
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": str(row[0]) if row else "?",
    }


def p95(values: Sequence[float]) -> float:
    """The 95th percentile by the nearest rank (the benchmarks quote medians and p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def on_report_bench_database(name: str, run: Callable[[], int]) -> int:
    """Run `run` with Django set up on a fresh PostgreSQL database `name` and a temporary data folder, the way
    bench/report_bench.py builds its 20-zone assessment; the database is dropped afterwards, whatever happens."""
    from bench import report_bench  # report_bench imports this module

    recreate_database(name)
    try:
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as data_dir:
            env = {**report_bench.bench_env(Path(data_dir)), "DATABASE_URL": database_url(name)}
            report_bench.setup_django(env)
            return run()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(name)
