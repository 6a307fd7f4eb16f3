"""The native libraries WeasyPrint opens, which ./zw and the Dockerfile install, and the check naming one missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import weasyprint.text.ffi

from reports import checks, native

# Every `name = _dlopen(ffi, 'a', 'b', ...)` of WeasyPrint's ffi module: the names it tries for one library.
_DLOPEN = re.compile(r"^(\w+) = _dlopen\(\s*ffi,(.*?)\)", re.M | re.S)


def _weasyprint_libraries() -> dict[str, set[str]]:
    source = Path(weasyprint.text.ffi.__file__).read_text()
    return {name: set(re.findall(r"'([^']+)'", names)) for name, names in _DLOPEN.findall(source)}


def test_every_library_weasyprint_opens_is_listed_under_a_name_it_tries() -> None:
    opened = _weasyprint_libraries()
    assert {"pango", "harfbuzz", "harfbuzz_subset", "fontconfig", "pangoft2", "gobject"} <= set(opened)
    ours = {lib.soname for lib in native.LIBRARIES}
    unlisted = {name for name, sonames in opened.items() if not sonames & ours}
    assert not unlisted, f"WeasyPrint opens libraries reports/native.py does not list: {unlisted}"


def test_harfbuzz_subset_is_installed_not_only_pango() -> None:
    needs = {lib.soname: lib.need for lib in native.LIBRARIES}
    assert needs["libharfbuzz-subset.so.0"] == native.RECOMMENDED
    assert needs["libpango-1.0.so.0"] == native.REQUIRED


def test_this_machine_has_every_required_and_recommended_library() -> None:
    # ./zw test installs them before the tests run; a machine that lacks one fails here and in `manage.py check`.
    assert native.missing() == []
    assert native.missing_packages() == []
    assert checks.weasyprint_native_libraries() == []


@pytest.fixture
def no_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    real = native.loadable
    monkeypatch.setattr(native, "loadable", lambda soname: soname != "libharfbuzz-subset.so.0" and real(soname))


@pytest.mark.usefixtures("no_subset")
def test_a_machine_with_pango_but_not_harfbuzz_subset_is_told_which_package_to_install(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert [lib.soname for lib in native.missing()] == ["libharfbuzz-subset.so.0"]
    assert native.main(["--debs"]) == 0
    assert capsys.readouterr().out.split() == ["libharfbuzz-subset0"]
    assert native.main(["--check"]) == 1
    assert "MISSING" in capsys.readouterr().out
    [warning] = checks.weasyprint_native_libraries()
    assert warning.id == "reports.W001"
    assert "libharfbuzz-subset0" in (warning.hint or "")


def test_the_optional_colour_font_library_is_never_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "loadable", lambda soname: soname != "libharfbuzz-vector.so.0")
    assert native.missing() == []
    assert native.main(["--check"]) == 0
