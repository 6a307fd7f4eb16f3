"""A save the database is too busy to take (SQLite's write lock held by a large import, a PostgreSQL lock
timeout) answers 503 with Retry-After, on the API and on pages: never a 500 (issue 14)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client

from core.api.errors import database_busy
from tests.conftest import Personas, api_as
from tests.zones.plant import make_zone
from zones.models import Zone

VEC = "{2,2,2,2,2,2,2}"


@contextmanager
def writes_refused(message: str = "database is locked") -> Iterator[None]:
    """Every INSERT or UPDATE of this thread's connection fails as SQLite fails a write whose lock it
    could not get in time."""

    def refuse(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise OperationalError(message)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def zone_form(name: str) -> dict[str, str]:
    levels = {f"sl_target_FR{n}": "2" for n in range(1, 8)}
    return {"name": name, "kind": "control", "criticality": "high", **levels}


@pytest.mark.django_db
def test_an_api_write_that_cannot_get_the_lock_is_503_with_retry_after(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control")
    with writes_refused():
        response = api_as(personas.consultant).patch(
            f"/api/v1/zones/{zone.pk}/", {"description": "edited"}, format="json", HTTP_IF_MATCH='"1"'
        )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "nothing was saved" in response.json()["detail"]
    zone.refresh_from_db()
    assert zone.description == ""


@pytest.mark.django_db
def test_a_page_post_that_cannot_get_the_lock_is_a_503_page_with_retry_after(
    client: Client, personas: Personas, settings: Any
) -> None:
    settings.DEBUG = False
    client.force_login(personas.consultant)
    with writes_refused("database table is locked"):
        response = client.post(f"/sites/{personas.site.pk}/zones/new/", zone_form("Busy"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert [t.name for t in response.templates] == ["503.html", "core/error_static_base.html"]
    assert "nothing was saved" in response.content.decode().lower()
    assert not Zone.objects.filter(name="Busy").exists()


@pytest.mark.django_db
def test_an_htmx_post_gets_the_sentence_as_plain_text(client: Client, personas: Personas) -> None:
    client.force_login(personas.consultant)
    with writes_refused():
        response = client.post(f"/sites/{personas.site.pk}/zones/new/", zone_form("Busy"), HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")  # static/js/workspace.js shows it in place
    assert len(response.content) < 300


@pytest.mark.django_db
def test_other_database_errors_stay_server_errors(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control")
    with writes_refused("disk I/O error"), pytest.raises(OperationalError):
        api_as(personas.consultant).patch(
            f"/api/v1/zones/{zone.pk}/", {"description": "x"}, format="json", HTTP_IF_MATCH='"1"'
        )


def test_postgresql_lock_failures_count_as_busy() -> None:
    def failure(sqlstate: str) -> OperationalError:
        exc = OperationalError("canceling statement due to lock timeout")
        exc.__cause__ = psycopg.errors.lookup(sqlstate)("as psycopg raises it")
        return exc

    assert database_busy(failure("55P03"))  # lock_not_available (lock_timeout)
    assert database_busy(failure("40001"))  # serialization_failure
    assert not database_busy(failure("57014"))  # query_canceled (statement_timeout): not a lock
    assert not database_busy(ValueError("database is locked"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one write lock")
def test_a_real_sqlite_write_lock_gives_503(personas: Personas) -> None:
    """Another connection holds the write lock (as a long import did); this one waits 0.1 s, not 20."""
    zone = make_zone(personas.site, "Control")
    client = api_as(personas.consultant)
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        connection.ensure_connection()
        connection.connection.execute("PRAGMA busy_timeout = 100")
        response = client.patch(
            f"/api/v1/zones/{zone.pk}/", {"description": "edited"}, format="json", HTTP_IF_MATCH='"1"'
        )
    finally:
        holder.rollback()
        holder.close()
        connection.close()  # the next test gets a connection with the configured timeout
    assert response.status_code == 503, response.content
    assert response["Retry-After"]
