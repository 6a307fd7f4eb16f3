"""docker-compose.yml describes the production-like stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_services_present_with_health_checks() -> None:
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_web_is_asgi_and_checks_healthz() -> None:
    web = compose()["services"]["web"]
    command = " ".join(web["command"])
    assert "uvicorn config.asgi:application" in command
    assert "--ws-per-message-deflate false" in command  # decision 0014
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


def test_app_services_use_postgres_and_redis_and_wait_for_them() -> None:
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "celery" in " ".join(services["worker"]["command"]) and "worker" in services["worker"]["command"]
    assert "beat" in " ".join(services["beat"]["command"])


def test_data_lives_in_volumes() -> None:
    data = compose()
    assert {"postgres", "redis"} <= {s for s, v in data["services"].items() if v.get("volumes")}
    assert len(data["volumes"]) >= 3
