"""The services gate, and the services CI provides: PostgreSQL, Redis (cache and broker)."""

import pytest
from django.core.cache import cache
from django.db import connection

import tests.conftest as gate


def test_gate_skips_a_missing_service_with_its_reason(monkeypatch):
    monkeypatch.setattr(gate, "REQUIRE_SERVICES", False)

    def refused():
        raise OSError("connection refused")

    with pytest.raises(pytest.skip.Exception, match=r"Thing is not available .*refused"):
        gate.require_service("Thing", refused)


def test_gate_fails_a_missing_service_when_ci_requires_it(monkeypatch):
    monkeypatch.setattr(gate, "REQUIRE_SERVICES", True)

    with pytest.raises(pytest.fail.Exception, match="TWINNING_REQUIRE_SERVICES=1"):
        gate.require_service("Thing", lambda: False)


def test_gate_lets_a_present_service_through(monkeypatch):
    monkeypatch.setattr(gate, "REQUIRE_SERVICES", True)

    gate.require_service("Thing", lambda: True)


def test_postgresql_when_configured(require_postgresql):
    """CI sets DATABASE_URL to PostgreSQL; elsewhere this says the suite ran on SQLite."""
    with connection.cursor() as cursor:
        cursor.execute("show server_version")
        assert cursor.fetchone()[0]


def test_redis_cache_and_broker_when_configured(require_redis, settings):
    from twinning.celery import app

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("twinning-test", "ok", 5)
    assert cache.get("twinning-test") == "ok"
    cache.delete("twinning-test")
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
    assert not settings.CELERY_TASK_ALWAYS_EAGER


def test_cache_works_whatever_the_backend():
    cache.set("twinning-any", 1, 5)

    assert cache.get("twinning-any") == 1
    cache.delete("twinning-any")
