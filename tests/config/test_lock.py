"""requirements/*.lock pin what pyproject.toml asks for: a dependency added without `./zw lock` fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEV_LOCK = ROOT / "requirements" / "dev.lock"
PROD_LOCK = ROOT / "requirements" / "prod.lock"
# `name==version` at the start of a line, before any environment marker or hash continuation.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)", re.MULTILINE)


def pins(lock: Path) -> dict[str, str]:
    """Canonical package name -> pinned version, as pip reads the lock."""
    return {canonicalize_name(m["name"]): m["version"] for m in PIN.finditer(lock.read_text())}


def declared(*, dev: bool) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    if dev:
        requirements += project["optional-dependencies"]["dev"]
    return [Requirement(line) for line in requirements]


def unmet(requirements: list[Requirement], pinned: dict[str, str]) -> list[str]:
    """Declared requirements the lock does not pin, or pins outside the declared range."""
    problems = []
    for requirement in requirements:
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} but the lock pins {version}")
    return problems


@pytest.mark.parametrize(("lock", "dev"), [(DEV_LOCK, True), (PROD_LOCK, False)], ids=["dev", "prod"])
def test_every_declared_dependency_is_pinned_in_range(lock: Path, dev: bool) -> None:
    problems = unmet(declared(dev=dev), pins(lock))
    assert not problems, f"{lock.name} is out of date; run ./zw lock:\n" + "\n".join(problems)


def test_prod_lock_runs_the_versions_the_tests_ran() -> None:
    dev, prod = pins(DEV_LOCK), pins(PROD_LOCK)
    assert set(prod) <= set(dev)
    assert {name: version for name, version in prod.items() if dev[name] != version} == {}


@pytest.mark.parametrize("lock", [DEV_LOCK, PROD_LOCK], ids=["dev", "prod"])
def test_lock_is_portable_and_hashed(lock: Path) -> None:
    text = lock.read_text()
    # Written by ./zw lock, naming no index or path of the machine that wrote it.
    assert "#    ./zw lock\n" in text
    assert not re.search(r"file:|--(extra-)?index-url|--find-links|/opt/|/home/|/work/|/tmp/", text)
    # Every pin carries hashes, so pip installs in hash-checking mode and refuses a swapped file.
    entries = re.split(r"\n(?=[A-Za-z0-9])", text[text.index("\n", text.index("./zw lock")) + 1 :])
    assert entries
    assert [entry.split()[0] for entry in entries if "--hash=sha256:" not in entry] == []


def test_missing_or_out_of_range_pins_are_reported() -> None:
    requirements = [Requirement("Django>=5.2,<5.3"), Requirement("django_axes>=8")]
    assert unmet(requirements, {"django": "5.2.19", "django-axes": "8.3.1"}) == []
    assert unmet(requirements, {"django": "5.3.0"}) == [
        "Django<5.3,>=5.2 but the lock pins 5.3.0",
        "django_axes>=8 is not in the lock",
    ]


# The code the image runs (the Dockerfile copies the tree; tests/ and bench/ run on dev machines only).
APP_PACKAGES = ("accounts", "alignment", "assessments", "compliance", "components", "config", "core", "program",
                "remediation", "reports", "risk", "security", "zones")  # fmt: skip


def imported_modules() -> dict[str, str]:
    """Top-level module -> a file of the app that imports it (module level or inside a function)."""
    import ast

    found: dict[str, str] = {}
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_package_the_app_imports_is_in_the_production_lock() -> None:
    # pypdf was a test dependency until the report workers started merging PDFs with it: the image would have
    # failed at the first report while every test passed.
    import sys
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    prod = pins(PROD_LOCK)
    ours = set(APP_PACKAGES) | {"manage"}
    missing = {
        f"{module} ({', '.join(distributions[module])}), imported by {where}"
        for module, where in imported_modules().items()
        if module not in ours and module not in sys.stdlib_module_names and module in distributions
        if not any(canonicalize_name(d) in prod for d in distributions[module])
    }
    assert not missing, "Add to [project] dependencies and run ./zw lock:\n" + "\n".join(sorted(missing))
