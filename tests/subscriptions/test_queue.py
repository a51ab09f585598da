"""The real parts: a Celery worker (prefork) on Redis sending over SMTP to a local server.

Each test gets a private redis-server on a free port (so stopping it is safe and no task
reaches the shared Redis), an SMTP sink in this process that records what it accepted,
and workers started as child processes on pytest-django's test database. They need
PostgreSQL (the worker is another process: it must see committed rows) and a redis-server
binary; without them they skip, and with TWINNING_REQUIRE_SERVICES=1 they fail.
"""

import logging
import re
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction

from subscriptions import services
from subscriptions.models import Delivery, Subscriber
from subscriptions.tasks import deliveries_sweep as deliveries_sweep_task
from tests.conftest import require_service
from tests.stories.factories import StoryFactory
from tests.subscriptions.factories import SubscriberFactory
from tests.subscriptions.smtp import smtp_sink, wait_until
from tests.subscriptions.workers import (
    CeleryWorker,
    RedisServer,
    celery_publishing_to,
    database_url,
    redis_server_binary,
    worker_environment,
)

pytestmark = pytest.mark.queue

SUBSCRIBERS = 40
BATCH_SIZE = 10
DEADLINE = 60  # seconds for the workers to deliver everything
UNSUBSCRIBE_LINK = re.compile(r"<(https://twinning\.example/subscriptions/unsubscribe/[^/>]+/)>")


# ------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------
@pytest.fixture
def queue_services(transactional_db):
    def on_postgresql():
        if connection.vendor != "postgresql":
            raise LookupError(f"the tests run on {connection.vendor}; set DATABASE_URL")
        return True

    require_service("PostgreSQL (a worker process must see the test database)", on_postgresql)
    require_service("redis-server", redis_server_binary)


@pytest.fixture
def redis_server(queue_services, tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server):
    """This process publishes its tasks to the private Redis, for real."""
    with celery_publishing_to(redis_server.url) as app:
        yield app


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


@pytest.fixture
def start_worker(redis_server, broker, sink, tmp_path):
    """Start a Celery worker on the private Redis, the test database and the sink."""
    started = []
    env = worker_environment(
        database_url=database_url(connection.settings_dict),
        redis_url=redis_server.url,
        email_url=sink.url,
        secret_key=settings.SECRET_KEY,
        TWINNING_DELIVERY_BATCH_SIZE=BATCH_SIZE,
        TWINNING_DELIVERY_QUEUED_GRACE=0,
    )

    def start(**settings_env):
        worker = CeleryWorker(
            env=env | {key: str(value) for key, value in settings_env.items()},
            log_path=tmp_path / f"worker-{len(started)}.log",
        )
        started.append(worker)
        return worker.start()

    yield start
    sink.release()
    for worker in started:
        worker.kill()  # the test is over: no need to wait for a warm shutdown
        print(f"--- {worker.log_path.name} ---\n{worker.log_tail(60)}")  # shown on failure


@pytest.fixture
def followers(topic):
    """SUBSCRIBERS confirmed subscribers following a topic; a quarter read Chinese."""
    subscribers = SubscriberFactory.create_batch(
        SUBSCRIBERS, follows_all_news=False, topics=[topic]
    )
    for subscriber in subscribers[::4]:
        subscriber.language = Subscriber.Language.CHINESE
        subscriber.save(update_fields=["language"])
    return subscribers


@pytest.fixture
def story(topic):
    """Published, about the topic, nobody told of it yet."""
    return StoryFactory(title="Rivers of Yunnan", topics=[topic])


def publish(story):
    """Announce the story as the admin does: the outbox rows and, on commit, the dispatch."""
    with transaction.atomic():
        return services.story_announce(story=story)


def statuses():
    return Counter(Delivery.objects.values_list("status", flat=True))


def all_sent(sink, expected):
    def check():
        return sink.count >= expected and statuses() == {Delivery.Status.SENT: expected}

    return check


def assert_one_message_each(sink, subscribers):
    assert sink.per_recipient() == Counter({s.email: 1 for s in subscribers})
    assert statuses() == {Delivery.Status.SENT: len(subscribers)}


# ------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------
def test_each_follower_gets_exactly_one_message_with_one_click_unsubscribe(
    start_worker, sink, followers, story, client
):
    start_worker()

    assert publish(story) == SUBSCRIBERS

    wait_until(all_sent(sink, SUBSCRIBERS), timeout=DEADLINE, what="every delivery sent")
    assert_one_message_each(sink, followers)
    deliveries = {
        row.subscriber.email: row for row in Delivery.objects.select_related("subscriber")
    }
    for message in sink.messages:
        (recipient,) = message.recipients
        assert message["To"] == recipient
        assert message["Subject"] == "Rivers of Yunnan"
        assert message["Message-ID"] == f"<delivery-{deliveries[recipient].pk}@twinning.example>"
        # As sent: a link a mail client finds, not RFC 2047 encoded words.
        raw = message.raw_header("List-Unsubscribe")
        assert UNSUBSCRIBE_LINK.fullmatch(raw), raw
        assert message.raw_header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert len({message["List-Unsubscribe"] for message in sink.messages}) == SUBSCRIBERS

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the link, without
    # cookies or CSRF token, and that alone unsubscribes.
    message = sink.messages[0]
    link = UNSUBSCRIBE_LINK.fullmatch(message["List-Unsubscribe"]).group(1)
    response = client.post(
        urlsplit(link).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    leaver = Subscriber.objects.get(email=message.recipients[0])
    assert leaver.unsubscribed_at is not None
    assert Subscriber.objects.confirmed().count() == SUBSCRIBERS - 1


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_repeats_nothing(
    start_worker, sink, followers, story
):
    """Two batches of 20, one per pool process. The sink holds every message from the 20th
    on inside DATA, so at least one batch is half sent. Once the marks of the messages it
    accepted are in the database, the worker and its pool get SIGKILL: the held messages
    were never accepted (no 250), their rows stay claimed. The sweep releases them, a new
    worker sends the rest: one message per subscriber, none twice."""
    held_from = SUBSCRIBERS // 2
    sink.hold_from(held_from)
    worker = start_worker(TWINNING_DELIVERY_BATCH_SIZE=SUBSCRIBERS // 2)

    publish(story)

    def stuck_with_marks_in():
        # Once a message is held, no further message can be accepted, so the sink's
        # count is final; wait until the worker has marked each of those sent.
        return sink.holding and statuses()[Delivery.Status.SENT] == sink.count

    wait_until(stuck_with_marks_in, timeout=DEADLINE, what="the sink to hold a message")
    accepted_before = sink.count
    assert accepted_before == held_from - 1
    worker.kill()
    # The sink notices the closed connections and drops what it held: never accepted.
    wait_until(lambda: sink.holding == 0, timeout=10, what="held messages to be dropped")
    sink.release()
    assert sink.count == accepted_before
    left = statuses()
    assert left[Delivery.Status.SENT] == accepted_before
    assert left[Delivery.Status.SENDING] >= 1  # claimed by the dead worker
    batches = {}  # the rows of one claim share its time
    for claimed_at, status in Delivery.objects.values_list("claimed_at", "status"):
        batches.setdefault(claimed_at, set()).add(status)
    assert {Delivery.Status.SENT, Delivery.Status.SENDING} in batches.values()

    # The beat sweep, with the timeouts run out (the worker is down, so nothing in
    # `sending` is alive): claimed rows are released and everything pending re-enqueued.
    swept = services.deliveries_sweep(claim_timeout=timedelta(0), queued_grace=timedelta(0))
    assert swept["released"] == left[Delivery.Status.SENDING]
    start_worker()

    wait_until(all_sent(sink, SUBSCRIBERS), timeout=DEADLINE, what="every delivery sent")
    assert_one_message_each(sink, followers)
    assert sink.dropped >= 1


def test_publishing_while_redis_is_down_is_quick_and_the_sweep_sends_later(
    start_worker, redis_server, sink, followers, story, caplog
):
    redis_server.stop()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="subscriptions.services"):
        assert publish(story) == SUBSCRIBERS
    took = time.monotonic() - started
    assert took < 2, f"publishing took {took:.1f}s with the broker down"
    assert "the sweep will send it later" in caplog.text
    assert statuses() == {Delivery.Status.QUEUED: SUBSCRIBERS}

    redis_server.start()
    start_worker()
    # What beat does every minute, through the broker: the worker runs the sweep (its
    # queued grace is 0 here), which enqueues the batches the dispatch could not.
    deliveries_sweep_task.delay()

    wait_until(all_sent(sink, SUBSCRIBERS), timeout=DEADLINE, what="every delivery sent")
    assert_one_message_each(sink, followers)
