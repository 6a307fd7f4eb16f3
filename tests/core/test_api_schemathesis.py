"""The API does what its OpenAPI schema says: schemathesis, in-process, on the seeded demo.

Every operation of the schema that drf-spectacular builds gets generated requests as the demo's consultant
(who may read and change the demo organization): some with the ids of real objects in the path and in the
query (so that reads, writes, If-Match and the 412/428 contract are reached, not only 404s), some with ids
that exist for nobody, valid and invalid bodies (positive and negative generation). Each response must pass
four checks: no 5xx, the status code is one the schema documents, the content type is a documented one, and
the body matches the documented schema. Bounded for a 2-CPU machine: a few examples per operation,
derandomized (the same cases every run), the generate phase only (no shrinking), a time budget.

One test, not one per operation: the seeded demo and the WSGI app are set up once, and the report lists every
failure at the end instead of stopping at the first.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.access import Action as AccessAction
from accounts.access import restrict
from accounts.models import Organization, User
from assessments.models import Assessment, Evidence, Result
from compliance.models import Requirement
from program.models import Exercise, TrainingRecord, Vulnerability
from remediation.models import Action, Finding
from reports.models import ReportJob
from tests.conftest import DEMO_GROUP
from zones.models import Asset, Conduit, Site, Zone

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group(DEMO_GROUP)]

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation: with the ids of real objects, with generated ids (mostly 404), with invalid input.
EXAMPLES = {"real": 2, "generated": 1, "negative": 2}
BUDGET_SECONDS = 60.0  # of CPU time (the app runs in this process): a busy machine does not fail the run
# Operations left out, and why (owned elsewhere, or not an API of the caller's data).
EXCLUDED: dict[tuple[str, str], str] = {}

# Where the `{id}` of a path points: the first segment after /api/v1/ names the collection.
COLLECTIONS: dict[str, type[Any]] = {
    "actions": Action,
    "assessments": Assessment,
    "assets": Asset,
    "conduits": Conduit,
    "evidence": Evidence,
    "exercises": Exercise,
    "findings": Finding,
    "organizations": Organization,
    "reports": ReportJob,
    "results": Result,
    "sites": Site,
    "trainings": TrainingRecord,
    "vulnerabilities": Vulnerability,
    "zones": Zone,
}
# Query parameters that name an object: given a real one in the "real ids" variant.
QUERY_OBJECTS: dict[str, type[Any]] = {
    "site": Site,
    "organization": Organization,
    "assessment": Assessment,
    "zone": Zone,
    "result": Result,
}


@dataclass
class Run:
    """What the run did: cases per operation, failures by operation and check."""

    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0  # of CPU

    def report(self) -> str:
        lines = [
            f"{len(self.cases)} operations, {sum(self.cases.values())} cases, "
            f"{sum(len(f) for f in self.failures.values())} failures in {self.seconds:.0f} s of CPU; "
            f"statuses {dict(sorted(self.statuses.items()))}"
        ]
        for label, messages in sorted(self.failures.items()):
            lines.append(f"--- {label}")
            lines.extend(sorted(set(messages))[:5])
        return "\n".join(lines)


def wsgi_app() -> Iterator[WSGIHandler]:
    """Django as WSGI in this thread, on the test's own connection and transaction: the handler's
    close_old_connections would otherwise close that connection at every request (Django's test client
    disconnects it the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def app(demo_db: None) -> Iterator[WSGIHandler]:
    yield from wsgi_app()


def signed_in(user: User) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies of a browser session of `user` (the session is what the web pages use; a CSRF
    cookie and header pair lets its writes through, as in the browser)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    csrf = get_random_string(32)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value, "csrftoken": csrf}
    return {"X-CSRFToken": csrf}, cookies


def real_id(model: type[Any], user: User) -> str | None:
    """The id of an object of `model` the user can see (the first one, in a stable order), if any."""
    if model is Requirement:
        return str(Requirement.objects.order_by("position").values_list("ref", flat=True).first())
    obj = restrict(model._default_manager.all(), user, AccessAction.VIEW).order_by("pk").first()
    return None if obj is None else str(obj.pk)


def version_of(model: type[Any], pk: str) -> str | None:
    """The ETag of a versioned object, for the If-Match of a write that should get through."""
    version = getattr(model._default_manager.filter(pk=pk).first(), "version", None)
    return None if version is None else f'"{version}"'


def variants(operation: Any, user: User) -> list[tuple[str, Any]]:
    """The strategies of one operation: real ids (when it names objects), generated ids, negative data."""
    path = operation.path.removeprefix("/api/v1/")
    collection = path.split("/", 1)[0]
    params = {p.name for p in operation.query}
    found: dict[str, str | None] = {}
    if "{id}" in path and collection in COLLECTIONS:
        found["id"] = real_id(COLLECTIONS[collection], user)
    if "{ref}" in path:
        found["ref"] = real_id(Requirement, user)
    path_parameters = {name: value for name, value in found.items() if value is not None}
    query = {name: real_id(model, user) for name, model in QUERY_OBJECTS.items() if name in params}
    headers = None
    if "If-Match" in {p.name for p in operation.headers} and "id" in path_parameters:
        tag = version_of(COLLECTIONS[collection], path_parameters["id"])
        headers = {"If-Match": tag} if tag else None
    out = [("generated", operation.as_strategy())]
    if path_parameters or query:
        real = operation.as_strategy(path_parameters=path_parameters or None, query=query or None, headers=headers)
        out.insert(0, ("real", real))
    out.append(("negative", operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)))
    return out


def order(operation: Any) -> tuple[int, str]:
    """Reads first, deletes last: a deleted site would turn the rest of the run into 404s."""
    rank = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 2, "DELETE": 3}[operation.method.upper()]
    return rank, operation.path


def exercise(
    operation: Any, label: str, strategy: Any, app: WSGIHandler, auth: tuple[dict[str, str], dict[str, str]], run: Run
) -> None:
    headers, cookies = auth

    @hypothesis_settings(
        max_examples=EXAMPLES[label],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case: Any) -> None:
        response = case.call(app=app, headers=headers, cookies=cookies)
        run.cases[operation.label] += 1
        run.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                message = f"[{label}] {response.status_code} {failure.title}: {str(failure.message)[:300]}"
                run.failures.setdefault(operation.label, []).append(message)

    with contextlib.suppress(Unsatisfiable):  # a negative variant of an operation with nothing to negate
        one()


def test_the_api_does_what_its_schema_says(app: WSGIHandler) -> None:
    consultant = User.objects.get(username="demo-consultant")
    headers, cookies = signed_in(consultant)
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),  # type: ignore[union-attr]
        key=order,
    )
    run = Run()
    started = time.process_time()
    for operation in operations:
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        if time.process_time() - started > BUDGET_SECONDS:
            message = f"over {BUDGET_SECONDS:.0f} s before {operation.label}: fewer EXAMPLES, or a slow endpoint?"
            run.failures.setdefault("(time budget)", []).append(message)
            break
        for label, strategy in variants(operation, consultant):
            exercise(operation, label, strategy, app, (headers, cookies), run)
    run.seconds = time.process_time() - started
    print(run.report())
    assert not run.failures, run.report()
    assert len(run.cases) == len(operations) - len(EXCLUDED)
