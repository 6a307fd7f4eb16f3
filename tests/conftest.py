"""Fixtures shared by the whole suite: the catalogue, named personas, API clients, the seeded demo."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from typing import Any, ClassVar, TypeVar

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Organization, User
from tests.factories import MembershipFactory, OrganizationFactory, SiteFactory, UserFactory
from zones.models import Site

# No deadline: on a shared or busy machine one slow example is not a failing property, and a deadline
# made these tests flaky. The number of examples stays Hypothesis's default (100) unless a test says.
hypothesis_settings.register_profile("zonewise", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "zonewise"))


@receiver(connection_created)
def _sqlite_without_fsync(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """No fsync on SQLite commits in the tests: the test database is thrown away, and an fsync costs ~10 ms
    on this disk, three of them per commit (WAL, database, checkpoint). The transactional tests (end-to-end,
    live sockets, a flush and a catalogue load after each) commit thousands of times; measured, they spent
    most of their wall time waiting for the disk. Locking and isolation are unchanged."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Load the real catalogue once into the test database.

    At the end, on PostgreSQL, end the other sessions on the test database first: the connection pool
    (config/env.py, min_size 2) keeps two idle connections open, and pytest-django's drop of the test
    database then failed with "is being accessed by other users" (a warning, and a database left behind).
    pg_stat_activity showed exactly those: two idle sessions opened together, the pool's minimum.
    """
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("load_catalogue", verbosity=0)
    yield
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


class _SchemaOncePerProcess(SchemaGenerator):
    """The generator behind /api/schema/ in the tests: the schema served is the same for everyone (drf-spectacular
    serves it public), so it is built once per test process and copied for each request. A dozen tests read
    it (a second and more each). The tests of the schema itself build it fresh: tests/core/test_openapi.py
    (with --fail-on-warn) and tests/core/test_api_schemathesis.py call SchemaGenerator directly."""

    _built: ClassVar[dict[tuple[object, ...], dict[str, Any]]] = {}

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        key = (public, self.api_version, get_language())
        if key not in self._built:
            self._built[key] = super().get_schema(request=request, public=public)
        return copy.deepcopy(self._built[key])


@pytest.fixture(autouse=True, scope="session")
def _schema_once_per_process() -> Iterator[None]:
    from core.api.docs import SchemaView

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SchemaView, "generator_class", _SchemaOncePerProcess)
        yield


@dataclass
class Personas:
    """Organization A (with a site) and its four roles, plus an outsider who belongs only to B."""

    org: Organization
    site: Site
    other_org: Organization
    other_site: Site
    admin: User
    consultant: User
    owner: User
    auditor: User
    outsider: User

    def by_name(self, name: str) -> User:
        user: User = getattr(self, name)
        return user


W = TypeVar("W")  # what a module builds for its tests (see `shared_by_the_module`)
PERSONA_NAMES = ("admin", "consultant", "owner", "auditor", "outsider")
WRITERS = ("admin", "consultant", "owner")


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


def make_personas() -> Personas:
    """Org A with a site and its four roles, and Org B with its site and an outsider (for fixtures of a
    wider scope than `personas`)."""
    org = OrganizationFactory.create(name="Org A")
    other = OrganizationFactory.create(name="Org B")
    users = {}
    for name, role in [
        ("admin", Role.ADMIN),
        ("consultant", Role.CONSULTANT),
        ("owner", Role.ASSET_OWNER),
        ("auditor", Role.AUDITOR),
    ]:
        users[name] = UserFactory.create(username=f"persona-{name}")
        MembershipFactory.create(user=users[name], organization=org, role=role)
    users["outsider"] = UserFactory.create(username="persona-outsider")
    MembershipFactory.create(user=users["outsider"], organization=other, role=Role.ADMIN)
    return Personas(
        org=org,
        site=SiteFactory.create(organization=org, name="Site A"),
        other_org=other,
        other_site=SiteFactory.create(organization=other, name="Site B"),
        **users,
    )


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """Database access for a fixture wider than one test (say, a PDF rendered once per module): what is
    written inside is rolled back at the end, so the tests that follow start from the same database."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def shared_by_the_module(build: Callable[[Personas], W]) -> tuple[Any, Any, Any, Any]:
    """Fixtures `personas` and `world` for a module whose tests all start from the same data: `build(personas)`
    runs once per module (or once per run of the module's tests on a worker) inside a transaction left open,
    and each test's own transaction is a savepoint in it, so a test finds the data as built and what it writes
    is rolled back. Each test gets deep copies of the built objects: what one changes in memory does not reach
    the next. For modules where building the world (assessments, findings) costs more than the test itself.

    Usage, at module level: `_shared_world, _fresh_world, personas, world = shared_by_the_module(build_world)`.
    A test that builds a plant of its own on Org A's site does not fit (the world already holds one)."""

    @pytest.fixture(scope="module")
    def _shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Personas, W]]:
        with rolled_back(django_db_blocker):
            personas = make_personas()
            yield personas, build(personas)

    @pytest.fixture
    def _fresh_world(_shared_world: tuple[Personas, W], db: None) -> tuple[Personas, W]:
        return copy.deepcopy(_shared_world)

    @pytest.fixture
    def personas(_fresh_world: tuple[Personas, W]) -> Personas:
        return _fresh_world[0]

    @pytest.fixture
    def world(_fresh_world: tuple[Personas, W]) -> W:
        return _fresh_world[1]

    return _shared_world, _fresh_world, personas, world


# --- The demo, seeded once -----------------------------------------------------------------------------------
DEMO_GROUP = "demo"  # xdist_group of the tests that read the seeded demo: one worker runs them back to back


class SeededDemo:
    """`seed_demo` run once into a transaction left open, shared by the tests that ask for `demo_db` while
    they run back to back: each test's own transaction is a savepoint inside it, so every test starts from
    the freshly seeded demo. The transaction is rolled back (the demo gone) before the first test that
    does not ask for it, so no other test ever sees the demo."""

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self.atomic: transaction.Atomic | None = None

    @property
    def is_open(self) -> bool:
        return self.atomic is not None

    def open(self) -> None:
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                seed_demo()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        atomic, self.atomic = self.atomic, None
        if atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)


def seed_demo() -> None:
    """What `./zw up` serves. The catalogue first: a transactional test may have flushed the session's."""
    call_command("load_catalogue", verbosity=0)
    call_command("seed_demo", stdout=StringIO())


_seeded: list[SeededDemo] = []  # the session's, for the teardown hook below


@pytest.fixture(scope="session")
def _seeded_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[SeededDemo]:
    demo = SeededDemo(django_db_blocker)
    demo.open()  # session scope: set up before the test's own transaction (the `db` fixture) begins
    _seeded.append(demo)
    yield demo
    demo.close()


@pytest.fixture
def demo_db(_seeded_demo: SeededDemo, db: None) -> None:
    """The demo data of `seed_demo` (and the catalogue), seeded once for tests that run back to back (mark
    their module `pytest.mark.xdist_group(DEMO_GROUP)`); what a test writes is rolled back after it.
    A test that asks for it after others came in between seeds it again, inside its own transaction."""
    if not _seeded_demo.is_open:
        seed_demo()


def _flushes(item: pytest.Item | None) -> bool:
    """Whether pytest-django empties the database after `item` (a transactional test)."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db") if item is not None else None
    return "transactional_db" in names or "live_server" in names or bool(marker and marker.kwargs.get("transaction"))


_blocker: list[Any] = []  # pytest-django's, for the teardown hook below


@pytest.fixture(autouse=True, scope="session")
def _remember_the_blocker(django_db_blocker: Any) -> None:
    _blocker.append(django_db_blocker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After this test's own fixtures are torn down: roll the shared demo back as soon as the next test does
    not read it (xdist tells each worker its next test too), and load the catalogue again after a
    transactional test emptied the database. pytest-django runs those last, but xdist sends the groups of
    end-to-end tests to a worker whenever their turn comes, and tests of other groups may follow them there."""
    result = yield
    if _seeded and _seeded[0].is_open and "demo_db" not in getattr(nextitem, "fixturenames", ()):
        _seeded[0].close()
    if nextitem is not None and _flushes(item) and not _flushes(nextitem) and _blocker:
        with _blocker[0].unblock():
            call_command("load_catalogue", verbosity=0)
    return result
