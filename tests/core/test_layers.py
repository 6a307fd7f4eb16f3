"""The layers, checked on the source: accounts (the bottom) imports no domain app, core imports none but
accounts, and no domain app takes shared plumbing from another domain app (it comes from core).

Imports are read with `ast` from every module, including imports inside functions (a lazy import is still
a dependency) and names used through an imported module (`from remediation import gantt; gantt.box(...)`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("compliance", "zones", "assessments", "remediation", "program", "reports", "risk", "security")
# Plumbing that lives in core: importing it from another domain app is a violation.
SERVICE_ERRORS = {"StaleObjectError", "InUse"}
SVG_MODULES = {"diagram", "gantt"}
WHOLE_MODULES = {"csv_io", "csv_safety"}  # another app's CSV reading and safe writing


@dataclass(frozen=True)
class Ref:
    """One name a module takes from another: `module` (dotted), `name` ("" for the module itself)."""

    path: str
    line: int
    module: str
    name: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.module}{'.' + self.name if self.name else ''}"


def modules(app: str) -> Iterator[Path]:
    yield from sorted((ROOT / app).rglob("*.py"))


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
    return ".".join([*package, *([node.module] if node.module else [])])


def refs(path: Path, source: str | None = None) -> list[Ref]:
    """Every module and name `path` (or `source`, as if it were there) imports, and the attributes it
    reads from imported modules."""
    tree = ast.parse(path.read_text() if source is None else source, filename=str(path))
    where = str(path.relative_to(ROOT))
    found: list[Ref] = []
    aliases: dict[str, str] = {}  # local name -> dotted module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Ref(where, node.lineno, alias.name, ""))
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            for alias in node.names:
                found.append(Ref(where, node.lineno, module, alias.name))
                aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            found.append(Ref(where, node.lineno, aliases[node.value.id], node.attr))
    return found


def _app(module: str) -> str:
    return module.split(".")[0]


def is_plumbing(ref: Ref, importer: str) -> bool:
    """Whether `ref` takes shared plumbing from a domain app other than `importer`."""
    parts = f"{ref.module}.{ref.name}".strip(".").split(".")
    owner = parts[0]
    if owner not in DOMAIN_APPS or owner == importer or len(parts) < 2:
        return False
    sub, rest = parts[1], parts[2:]
    if sub in WHOLE_MODULES:
        return True
    if sub == "services":
        return bool(rest) and rest[0] in SERVICE_ERRORS
    if sub == "forms":
        return bool(rest) and rest[0] == "VersionedForm"
    if sub == "api":
        return bool(rest) and rest[0] in ("views", "viewsets")
    if sub in SVG_MODULES and rest:
        # The other app's chart itself (render_*, its data classes and layout constants) is domain;
        # its SVG helpers and colours are core's.
        name = rest[0]
        colour = any(word in name.upper() for word in ("COLOUR", "COLOR", "PALETTE"))
        helper = name[:1].islower() and not name.startswith("render_")
        return colour or helper
    return False


def violations(apps: tuple[str, ...], rule: Callable[[Ref, str], bool]) -> list[str]:
    found = []
    for app in apps:
        for path in modules(app):
            found += [str(ref) for ref in refs(path) if rule(ref, app)]
    return sorted(set(found))


def test_accounts_imports_no_domain_app() -> None:
    bad = violations(("accounts",), lambda ref, _: _app(ref.module) in DOMAIN_APPS)
    assert bad == [], "accounts is the bottom layer:\n" + "\n".join(bad)


def test_core_imports_no_domain_app_but_accounts() -> None:
    bad = violations(("core",), lambda ref, _: _app(ref.module) in DOMAIN_APPS)
    assert bad == [], "core may import only the permission door's app:\n" + "\n".join(bad)


def test_no_domain_app_takes_plumbing_from_another() -> None:
    bad = violations(DOMAIN_APPS, is_plumbing)
    assert bad == [], "import these from core instead:\n" + "\n".join(bad)


# --- the checker itself ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "importer", "expected"),
    [
        ("from zones.services import StaleObjectError", "assessments", True),
        ("from zones.services import zone_save", "assessments", False),
        ("from zones.services import InUse", "zones", False),
        ("from assessments.api.views import with_etag", "zones", True),
        ("from reports.csv_safety import csv_to_binary", "program", True),
        ("from zones import csv_io", "program", True),
        ("from zones.forms import VersionedForm", "program", True),
        ("from remediation import gantt\ngantt.render_gantt()\ngantt.GanttBar", "reports", False),
        ("from remediation import gantt\ngantt.svg_text()", "reports", True),
        ("from zones.diagram import STATUS_COLOURS", "reports", True),
        ("from core.versioning import StaleObjectError", "zones", False),
        ("from .services import InUse", "zones", False),
    ],
)
def test_the_plumbing_rule(source: str, importer: str, expected: bool) -> None:
    path = ROOT / importer / "_layer_probe.py"
    found = [ref for ref in refs(path, source) if is_plumbing(ref, importer)]
    assert bool(found) is expected, found
