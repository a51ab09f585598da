"""Project-wide fixtures: test-speed settings, the services gate and domain scenarios."""

import os
import socket
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from tests.accounts.factories import PASSWORD, StaffUserFactory, UserFactory
from tests.events.factories import EventFactory, SpeakerFactory
from tests.fellows.factories import FellowFactory
from tests.organizations.factories import (
    ChineseOrganizationFactory,
    EuropeanOrganizationFactory,
    ExchangeRoundFactory,
    PairingFactory,
    TopicFactory,
)
from tests.stories.factories import KeywordFactory, StoryFactory
from twinning.groups import PROGRAMME_MANAGERS, staff_groups_sync

# ------------------------------------------------------------------------------
# Settings for the whole run
# ------------------------------------------------------------------------------
# Session-wide, so that they also hold for the live server thread (which is
# session-scoped and starts before any function-scoped fixture):
# - a fast password hasher;
# - plain static storage: production uses the manifest storage, which needs collectstatic;
# - whitenoise reading from the finders: there is no collected STATIC_ROOT in a fresh clone
#   (whitenoise would warn "No directory at", and warnings are errors here).
TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "WHITENOISE_USE_FINDERS": True,
    "WHITENOISE_AUTOREFRESH": True,
}


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, **TEST_SETTINGS):
        yield


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process, as under `make run`, even when REDIS_URL is set (CI): ordinary
    tests must never leave tasks in a real broker. Queue tests (tests/subscriptions/
    test_queue.py) switch this off for their own worker and broker."""
    from twinning.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded and generated files go to a per-test folder, never to ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"


# ------------------------------------------------------------------------------
# Services gate: skip when a service is absent, fail when CI says it must be there
# ------------------------------------------------------------------------------
REQUIRE_SERVICES = os.environ.get("TWINNING_REQUIRE_SERVICES", "") == "1"


def require_service(name: str, check: Callable[[], object]) -> None:
    """Skip the test with a clear reason when `check()` fails or returns a falsy value.

    With TWINNING_REQUIRE_SERVICES=1 (as `.ci/run` sets) a missing service fails the test
    instead, so CI cannot go green by skipping what it was meant to exercise.
    """
    try:
        ok = check()
        problem = "" if ok else "check returned nothing"
    except Exception as error:
        ok, problem = False, f"{type(error).__name__}: {error}"
    if ok:
        return
    message = f"{name} is not available ({problem})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; TWINNING_REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(f"{message}; set it up or see .ci/run")


def tcp_open(host: str, port: int) -> bool:
    with socket.create_connection((host, port), timeout=2):
        return True


CHROMIUM = os.environ.get("TWINNING_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TWINNING_CHROMEDRIVER", "/usr/bin/chromedriver")


def chromium_present() -> str:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) and os.access(path, os.X_OK)):
            raise FileNotFoundError(f"{path} missing (apt-get install chromium chromium-driver)")
    return CHROMIUM


@pytest.fixture
def require_chromium():
    require_service("Chromium + chromedriver", chromium_present)


@pytest.fixture
def require_redis(settings):
    """Redis as configured by REDIS_URL (cache and Celery broker), reachable."""

    def ping():
        if not settings.REDIS_URL:
            raise LookupError("REDIS_URL is not set, so the cache is local memory")
        import redis

        return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()

    require_service("Redis", ping)


@pytest.fixture
def require_postgresql(db):
    def on_postgresql():
        from django.db import connection

        if connection.vendor != "postgresql":
            raise LookupError(f"the tests run on {connection.vendor}; set DATABASE_URL")
        return True

    require_service("PostgreSQL", on_postgresql)


# ------------------------------------------------------------------------------
# People
# ------------------------------------------------------------------------------
@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def user_password():
    return PASSWORD


# ------------------------------------------------------------------------------
# Domain scenarios
# ------------------------------------------------------------------------------
@pytest.fixture
def topic(db):
    return TopicFactory(name="Climate change", slug="climate-change", name_zh="气候变化")


@pytest.fixture
def keyword(db):
    return KeywordFactory(name="Chinese NGOs Going Out", slug="chinese-ngos-going-out")


@pytest.fixture
def exchange_round(db):
    return ExchangeRoundFactory(year=2016, theme="Civil society and climate")


@pytest.fixture
def european_organization(db, topic):
    return EuropeanOrganizationFactory(
        name="Germanwatch", slug="germanwatch", country="DE", city="Bonn", topics=[topic]
    )


@pytest.fixture
def chinese_organization(db, topic):
    return ChineseOrganizationFactory(
        name="Green Watershed",
        name_zh="绿色流域",
        slug="green-watershed",
        province="Yunnan",
        city="Kunming",
        topics=[topic],
    )


@pytest.fixture
def pairing(db, exchange_round, european_organization, chinese_organization, topic):
    return PairingFactory(
        round=exchange_round,
        european_organization=european_organization,
        chinese_organization=chinese_organization,
        topic=topic,
    )


@pytest.fixture
def fellow(db, pairing):
    """A European twinner from Germanwatch, hosted by Green Watershed in 2016."""
    return FellowFactory(
        name="Anna Schmidt",
        slug="anna-schmidt",
        pairing=pairing,
        role="Policy advisor",
        testimonial="The exchange changed how I see our work.",
    )


@pytest.fixture
def chinese_fellow(db, pairing):
    return FellowFactory(name="Li Wei", slug="li-wei", pairing=pairing, from_china=True)


@pytest.fixture
def round_with_pairings(db, pairing, fellow, chinese_fellow, topic):
    """The 2016 round: Germanwatch ↔ Green Watershed (with a fellow each way) and one more."""
    second = PairingFactory(
        round=pairing.round,
        european_organization=EuropeanOrganizationFactory(
            name="Friends of the Earth Europe", country="BE", city="Brussels"
        ),
        chinese_organization=ChineseOrganizationFactory(name="Shanshui Conservation Center"),
        topic=TopicFactory(name="Environmental protection", slug="environmental-protection"),
    )
    FellowFactory(name="Zhang Min", pairing=second, from_china=True)
    return pairing.round


@pytest.fixture
def published_story(db, fellow, pairing, topic, keyword):
    return StoryFactory(
        title="A summer inside Green Watershed",
        slug="a-summer-inside-green-watershed",
        kind="fellow-story",
        summary="Anna Schmidt on eight weeks in Kunming.",
        body="## Arriving\n\nWe met the *river communities* first.",
        round=pairing.round,
        topics=[topic],
        keywords=[keyword],
        fellows=[fellow],
        organizations=[pairing.european_organization, pairing.chinese_organization],
    )


@pytest.fixture
def draft_story(db):
    return StoryFactory(title="Draft nobody may see", slug="draft-nobody-may-see", draft=True)


@pytest.fixture
def scheduled_story(db):
    return StoryFactory(
        title="Scheduled for next week", slug="scheduled-for-next-week", scheduled=True
    )


@pytest.fixture
def future_story(db):
    return StoryFactory(title="Published tomorrow", slug="published-tomorrow", future=True)


@pytest.fixture
def upcoming_event(db, topic, european_organization):
    event = EventFactory(
        title="C20 capacity-building workshop",
        slug="c20-capacity-building-workshop",
        city="Hamburg",
        venue="Hamburg Chamber",
        topics=[topic],
        organizations=[european_organization],
    )
    SpeakerFactory(event=event, name="Klaus Schilder", affiliation="MISEREOR")
    return event


@pytest.fixture
def past_event(db, topic):
    return EventFactory(
        title="Alumni network kick-off",
        slug="alumni-network-kick-off",
        kind="alumni-meeting",
        past=True,
        topics=[topic],
    )


@pytest.fixture
def online_event(db):
    return EventFactory(title="Webinar on fair trade", slug="webinar-fair-trade", online=True)


# ------------------------------------------------------------------------------
# Subscribers
# ------------------------------------------------------------------------------
@pytest.fixture
def confirmed_subscriber(db, topic):
    """Confirmed, at once, in English; follows the climate-change topic only."""
    from tests.subscriptions.factories import SubscriberFactory

    return SubscriberFactory(email="reader@example.org", follows_all_news=False, topics=[topic])


@pytest.fixture
def news_subscriber(db):
    """Confirmed, follows all programme news, at once, in Chinese."""
    from tests.subscriptions.factories import SubscriberFactory

    return SubscriberFactory(email="news@example.org", chinese=True)


@pytest.fixture
def manager_client(client, db):
    """A client signed in as a programme manager (rounds, organisations, pairings, fellows)."""
    staff_groups_sync()
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=PROGRAMME_MANAGERS))
    client.force_login(manager)
    return client
