"""The outbox state machine, driven through the Celery tasks with failing SMTP backends.

Tasks run in-process (`.apply()`), the default mailer is one of tests/subscriptions/backends.py
(`mailer` fixture), and the tests read what a subscriber received (`mailoutbox`) and what an
operator sees on the `Delivery` rows: status, attempts, retry_after, last_error.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from stories.models import Story
from subscriptions import services, tasks
from subscriptions.models import Delivery, Subscriber
from tests.stories.factories import StoryFactory
from tests.subscriptions.factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Status = Delivery.Status
Kind = Delivery.Kind


def recorded_for(story, subscribers=3, **traits):
    """Deliveries recorded for `story` (their send task not run, as if it was lost)."""
    SubscriberFactory.create_batch(subscribers, **traits)
    services.story_announce(story=story)
    return list(Delivery.objects.filter(story=story).order_by("pk"))


def send_task(deliveries):
    return tasks.deliveries_send.apply(args=[[d.pk for d in deliveries]]).get()


def make_due(*deliveries):
    """Let the retry delay pass."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(retry_after=past)


def recipients(outbox):
    return sorted(address for message in outbox for address in message.to)


def fresh(delivery):
    delivery.refresh_from_db()
    return delivery


# ------------------------------------------------------------------------------
# Success
# ------------------------------------------------------------------------------
def test_the_send_task_delivers_a_batch_and_a_second_run_sends_nothing(
    published_story, mailoutbox
):
    deliveries = recorded_for(published_story)

    assert send_task(deliveries) == {"sent": 3, "retrying": 0, "failed": 0, "cancelled": 0}
    assert send_task(deliveries) == {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}

    assert len(mailoutbox) == 3
    for delivery in map(fresh, deliveries):
        assert delivery.status == Status.SENT
        assert delivery.attempts == 1
        assert delivery.sent_at is not None
        assert delivery.claim == ""


def test_a_batch_goes_over_one_smtp_connection(published_story, mailer):
    backend = mailer("RecordingBackend")
    deliveries = recorded_for(published_story, subscribers=5)

    send_task(deliveries)

    assert backend.opened == 1
    assert backend.per_connection == [5]


def test_a_story_is_sent_in_batches_of_the_configured_size(
    published_story, settings, mailer, send, mailoutbox
):
    settings.TWINNING_DELIVERY_BATCH_SIZE = 2
    backend = mailer("RecordingBackend")
    SubscriberFactory.create_batch(5)

    send(services.story_announce, story=published_story)

    assert backend.per_connection == [2, 2, 1]
    assert len(mailoutbox) == 5


def test_a_held_row_is_not_sent_by_the_send_task(published_story, mailoutbox):
    [held] = recorded_for(published_story, subscribers=1, weekly=True)

    send_task([held])

    assert mailoutbox == []
    assert fresh(held).status == Status.HELD


# ------------------------------------------------------------------------------
# Temporary failures
# ------------------------------------------------------------------------------
def test_a_dropped_connection_retries_that_message_later_and_sends_the_rest(
    published_story, mailer, mailoutbox
):
    backend = mailer("DisconnectsOnceBackend")
    first, *others = deliveries = recorded_for(published_story)
    before = timezone.now()

    assert send_task(deliveries) == {"sent": 2, "retrying": 1, "failed": 0, "cancelled": 0}

    first = fresh(first)
    assert first.status == Status.RETRYING
    assert first.attempts == 1
    assert "disconnected" in first.last_error.lower()
    delay = datetime.timedelta(seconds=services.RETRY_DELAYS[0])
    assert before + delay <= first.retry_after <= timezone.now() + delay
    assert backend.opened == 2  # a fresh connection for the rest of the batch
    assert [fresh(d).status for d in others] == [Status.SENT, Status.SENT]

    assert send_task(deliveries)["sent"] == 0  # not due yet
    make_due(first)
    assert send_task(deliveries)["sent"] == 1

    first = fresh(first)
    assert (first.status, first.attempts, first.last_error) == (Status.SENT, 2, "")
    assert recipients(mailoutbox) == sorted(d.subscriber.email for d in deliveries)


def test_a_greylisted_message_is_retried_and_then_delivered_once(
    published_story, mailer, mailoutbox
):
    backend = mailer("DefersOnceBackend")
    [delivery] = recorded_for(published_story, subscribers=1)

    send_task([delivery])
    delivery = fresh(delivery)
    assert delivery.status == Status.RETRYING
    assert "451" in delivery.last_error
    assert backend.opened == 1  # a 4xx answer does not cost the connection

    make_due(delivery)
    send_task([delivery])
    make_due(delivery)
    send_task([delivery])

    assert fresh(delivery).status == Status.SENT
    assert len(mailoutbox) == 1


def test_a_server_that_keeps_deferring_is_retried_with_backoff_then_given_up(
    published_story, mailer, mailoutbox
):
    mailer("AlwaysDefersBackend")
    [delivery] = recorded_for(published_story, subscribers=1)

    for attempt, delay in enumerate(services.RETRY_DELAYS, start=1):
        before = timezone.now()
        assert send_task([delivery])["retrying"] == 1
        delivery = fresh(delivery)
        assert delivery.status == Status.RETRYING
        assert delivery.attempts == attempt
        expected = datetime.timedelta(seconds=delay)
        assert before + expected <= delivery.retry_after <= timezone.now() + expected
        make_due(delivery)

    assert send_task([delivery])["failed"] == 1

    delivery = fresh(delivery)
    assert delivery.status == Status.FAILED
    assert delivery.attempts == len(services.RETRY_DELAYS) + 1
    assert "Gave up" in delivery.last_error
    assert "451" in delivery.last_error
    assert mailoutbox == []
    assert Delivery.objects.filter(story=published_story).counts()["failed"] == 1
    # A failed delivery is kept, never picked up again.
    make_due(delivery)
    assert send_task([delivery]) == {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}


def test_when_the_smtp_server_is_unreachable_the_whole_batch_waits(
    published_story, mailer, settings, mailoutbox
):
    mailer("ConnectionRefusedBackend")
    deliveries = recorded_for(published_story)

    assert send_task(deliveries) == {"sent": 0, "retrying": 3, "failed": 0, "cancelled": 0}

    for delivery in map(fresh, deliveries):
        assert delivery.status == Status.RETRYING
        assert delivery.attempts == 1
        assert "refused" in delivery.last_error.lower()

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    make_due(*deliveries)
    services.deliveries_sweep()

    assert recipients(mailoutbox) == sorted(d.subscriber.email for d in deliveries)
    assert {fresh(d).status for d in deliveries} == {Status.SENT}


# ------------------------------------------------------------------------------
# Permanent failures
# ------------------------------------------------------------------------------
def test_a_refused_mailbox_fails_is_suppressed_and_its_other_emails_are_cancelled(
    published_story, mailer, send, mailoutbox
):
    mailer("RefusesBouncesBackend")
    bouncing = SubscriberFactory(email="bounce@example.org")
    SubscriberFactory(email="reader@example.org")
    newsletter = NewsletterFactory()
    services.newsletter_send(newsletter=newsletter)  # recorded, not sent yet

    send(services.story_announce, story=published_story)

    failed = Delivery.objects.get(subscriber=bouncing, story=published_story)
    assert failed.status == Status.FAILED
    assert "550" in failed.last_error
    bouncing.refresh_from_db()
    assert bouncing.suppressed_at is not None
    assert "550" in bouncing.suppression_reason
    assert Delivery.objects.get(subscriber=bouncing, newsletter=newsletter).status == (
        Status.CANCELLED
    )
    assert recipients(mailoutbox) == ["reader@example.org"]

    # Nothing more is ever sent to it.
    send(services.story_announce, story=StoryFactory())
    send(services.newsletter_send, newsletter=newsletter)
    assert "bounce@example.org" not in recipients(mailoutbox)
    assert Subscriber.objects.confirmed().get().email == "reader@example.org"


def test_a_refused_mailbox_in_a_batch_does_not_get_its_next_email_of_the_same_batch(
    published_story, mailer, mailoutbox
):
    mailer("RefusesBouncesBackend")
    bouncing = SubscriberFactory(email="bounce@example.org")
    newsletter = NewsletterFactory()
    services.story_announce(story=published_story)
    services.newsletter_send(newsletter=newsletter)

    counts = send_task(list(Delivery.objects.filter(subscriber=bouncing).order_by("pk")))

    assert counts == {"sent": 0, "retrying": 0, "failed": 1, "cancelled": 1}
    assert mailoutbox == []


def test_a_permanently_failed_digest_takes_its_stories_with_it(
    published_story, mailer, send, mailoutbox
):
    mailer("RefusesBouncesBackend")
    SubscriberFactory(email="bounce@example.org", weekly=True)
    send(services.story_announce, story=published_story)

    send(services.digests_compose)

    assert Delivery.objects.get(kind=Kind.DIGEST).status == Status.FAILED
    assert Delivery.objects.get(story=published_story).status == Status.FAILED
    assert Delivery.objects.counts()["pending"] == 0


# ------------------------------------------------------------------------------
# Rows that became pointless
# ------------------------------------------------------------------------------
def test_a_story_withdrawn_before_sending_is_cancelled_not_sent(published_story, mailoutbox):
    deliveries = recorded_for(published_story, subscribers=2)
    Story.objects.filter(pk=published_story.pk).update(status=Story.Status.DRAFT)

    assert send_task(deliveries)["cancelled"] == 2

    assert mailoutbox == []
    assert {fresh(d).status for d in deliveries} == {Status.CANCELLED}


def test_a_subscriber_who_left_before_sending_gets_nothing(published_story, mailoutbox):
    [delivery] = recorded_for(published_story, subscribers=1)
    Subscriber.objects.update(unsubscribed_at=timezone.now())

    send_task([delivery])

    assert mailoutbox == []
    assert fresh(delivery).status == Status.CANCELLED


# ------------------------------------------------------------------------------
# The sweep: nothing left behind
# ------------------------------------------------------------------------------
def test_the_sweep_sends_rows_whose_task_was_lost_after_the_grace(published_story, mailoutbox):
    deliveries = recorded_for(published_story)

    assert services.deliveries_sweep()["enqueued"] == 0  # their task may still come
    assert mailoutbox == []

    grace = datetime.timedelta(seconds=121)
    Delivery.objects.update(updated_at=timezone.now() - grace)
    assert services.deliveries_sweep()["enqueued"] == 3

    assert recipients(mailoutbox) == sorted(d.subscriber.email for d in deliveries)
    assert services.deliveries_sweep()["enqueued"] == 0
    assert len(mailoutbox) == 3


def test_the_sweep_releases_rows_of_a_dead_worker_and_sends_each_once(published_story, mailoutbox):
    stale, fresh_claim = recorded_for(published_story, subscribers=2)
    long_ago = timezone.now() - datetime.timedelta(seconds=181)
    Delivery.objects.filter(pk=stale.pk).update(
        status=Status.SENDING, claim="deadworker", claimed_at=long_ago, attempts=1
    )
    Delivery.objects.filter(pk=fresh_claim.pk).update(
        status=Status.SENDING, claim="liveworker", claimed_at=timezone.now(), attempts=1
    )

    result = services.deliveries_sweep()
    services.deliveries_sweep()

    assert result["released"] == 1
    assert [message.to for message in mailoutbox] == [[stale.subscriber.email]]
    stale = fresh(stale)
    assert (stale.status, stale.attempts) == (Status.SENT, 2)
    # A worker still inside its time limit is left to finish.
    assert fresh(fresh_claim).status == Status.SENDING


def test_the_sweep_gives_up_on_a_row_that_outlived_every_attempt(published_story, mailoutbox):
    [delivery] = recorded_for(published_story, subscribers=1)
    long_ago = timezone.now() - datetime.timedelta(seconds=181)
    Delivery.objects.update(
        status=Status.SENDING,
        claim="deadworker",
        claimed_at=long_ago,
        attempts=len(services.RETRY_DELAYS) + 1,
    )

    assert services.deliveries_sweep()["failed"] == 1

    delivery = fresh(delivery)
    assert delivery.status == Status.FAILED
    assert delivery.last_error
    assert mailoutbox == []


def test_a_digest_given_up_by_the_sweep_takes_its_stories_with_it(published_story):
    SubscriberFactory(weekly=True)
    services.story_announce(story=published_story)
    services.digests_compose()
    Delivery.objects.filter(kind=Kind.DIGEST).update(
        status=Status.SENDING,
        claim="deadworker",
        claimed_at=timezone.now() - datetime.timedelta(seconds=181),
        attempts=len(services.RETRY_DELAYS) + 1,
    )

    services.deliveries_sweep()

    assert Delivery.objects.counts() == {"sent": 0, "pending": 0, "failed": 2, "cancelled": 0}


def test_the_sweep_sends_retries_that_are_due_and_only_those(published_story, mailoutbox):
    due, waiting = recorded_for(published_story, subscribers=2)
    now = timezone.now()
    Delivery.objects.filter(pk=due.pk).update(
        status=Status.RETRYING, attempts=1, retry_after=now - datetime.timedelta(seconds=1)
    )
    Delivery.objects.filter(pk=waiting.pk).update(
        status=Status.RETRYING, attempts=1, retry_after=now + datetime.timedelta(minutes=5)
    )

    services.deliveries_sweep()

    assert [message.to for message in mailoutbox] == [[due.subscriber.email]]
    assert fresh(waiting).status == Status.RETRYING


def test_publishing_while_the_broker_is_down_succeeds_and_the_sweep_sends_later(
    published_story, monkeypatch, send, mailoutbox
):
    from twinning.celery import app

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    SubscriberFactory.create_batch(2)
    app.conf.task_always_eager = False  # tasks are published, and publishing fails
    for name in ("subscriptions.tasks.deliveries_dispatch", "subscriptions.tasks.deliveries_send"):
        monkeypatch.setattr(app.tasks[name], "delay", broker_down)

    assert send(services.story_announce, story=published_story) == 2
    assert mailoutbox == []
    assert Delivery.objects.filter(status=Status.QUEUED).count() == 2

    monkeypatch.undo()  # the broker is back
    app.conf.task_always_eager = True
    Delivery.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=5))
    services.deliveries_sweep()

    assert len(mailoutbox) == 2


# ------------------------------------------------------------------------------
# Concurrency (PostgreSQL: real row locks and concurrent transactions)
# ------------------------------------------------------------------------------
def at_once(function, times=2):
    """Run `function` in `times` threads started together; each has its own connection."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(function())
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.usefixtures("require_postgresql")
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_send_each_message_once(mailer, mailoutbox):
    mailer("SlowBackend")
    story = StoryFactory()
    ids = [
        Delivery.objects.create(subscriber=subscriber, kind=Kind.STORY, story=story).pk
        for subscriber in SubscriberFactory.create_batch(6)
    ]

    results = at_once(lambda: services.deliveries_send(delivery_ids=ids))

    assert sum(result["sent"] for result in results) == 6
    assert len(mailoutbox) == 6
    assert len({message.to[0] for message in mailoutbox}) == 6


@pytest.mark.usefixtures("require_postgresql")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_announcements_record_each_follower_once():
    story = StoryFactory()
    SubscriberFactory.create_batch(5)

    results = at_once(lambda: services.story_announce(story=story), times=3)

    assert sorted(results) == [0, 0, 5]
    assert Delivery.objects.filter(story=story).count() == 5


# ------------------------------------------------------------------------------
# Task options
# ------------------------------------------------------------------------------
def test_only_the_send_task_acknowledges_late():
    assert tasks.deliveries_send.acks_late
    assert tasks.deliveries_send.reject_on_worker_lost
    assert tasks.deliveries_send.time_limit
    assert tasks.deliveries_send.soft_time_limit < tasks.deliveries_send.time_limit
    for task in (
        tasks.deliveries_dispatch,
        tasks.deliveries_sweep,
        tasks.stories_publish_due,
        tasks.digests_compose,
        tasks.subscribers_purge_unconfirmed,
    ):
        assert not task.acks_late, task.name


def test_the_claim_timeout_outlasts_the_send_task(settings):
    assert tasks.deliveries_send.time_limit < settings.TWINNING_DELIVERY_CLAIM_TIMEOUT


def test_the_beat_tasks_run_as_tasks(
    published_story, scheduled_story, django_capture_on_commit_callbacks, mailoutbox
):
    SubscriberFactory()
    Story.objects.filter(pk=scheduled_story.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.stories_publish_due.apply().get() == 2
    assert tasks.deliveries_sweep.apply().get() == {"released": 0, "failed": 0, "enqueued": 0}
    assert tasks.digests_compose.apply().get() == 0
    assert tasks.subscribers_purge_unconfirmed.apply().get() == 0

    assert sorted(message.subject for message in mailoutbox) == sorted(
        [published_story.title, scheduled_story.title]
    )
