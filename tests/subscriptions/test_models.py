"""Invariants the database keeps for the outbox, and the read rules of the querysets."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from subscriptions.models import Delivery, Newsletter, Subscriber, week_start
from tests.events.factories import EventFactory
from tests.organizations.factories import TopicFactory
from tests.stories.factories import StoryFactory
from tests.subscriptions.factories import DeliveryFactory, NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Kind = Delivery.Kind
Status = Delivery.Status


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(**fields)


def test_one_delivery_per_subscriber_and_story_event_or_newsletter(published_story):
    subscriber = SubscriberFactory()
    event, newsletter = EventFactory(), NewsletterFactory()
    Delivery.objects.create(subscriber=subscriber, kind=Kind.STORY, story=published_story)
    Delivery.objects.create(subscriber=subscriber, kind=Kind.EVENT, event=event)
    Delivery.objects.create(subscriber=subscriber, kind=Kind.NEWSLETTER, newsletter=newsletter)

    refused(subscriber=subscriber, kind=Kind.STORY, story=published_story, status=Status.SENT)
    refused(subscriber=subscriber, kind=Kind.EVENT, event=event)
    refused(subscriber=subscriber, kind=Kind.NEWSLETTER, newsletter=newsletter)

    # Another subscriber, or another story, is fine.
    Delivery.objects.create(subscriber=SubscriberFactory(), kind=Kind.STORY, story=published_story)
    Delivery.objects.create(subscriber=subscriber, kind=Kind.STORY, story=StoryFactory())


def test_one_digest_a_week_and_one_welcome_a_day():
    subscriber = SubscriberFactory()
    monday = datetime.date(2026, 11, 2)
    Delivery.objects.create(subscriber=subscriber, kind=Kind.DIGEST, period=monday)
    Delivery.objects.create(subscriber=subscriber, kind=Kind.WELCOME, period=monday)

    refused(subscriber=subscriber, kind=Kind.DIGEST, period=monday)
    refused(subscriber=subscriber, kind=Kind.WELCOME, period=monday)

    Delivery.objects.create(
        subscriber=subscriber, kind=Kind.DIGEST, period=monday + datetime.timedelta(days=7)
    )
    # Access links and confirmation requests may be asked for again.
    DeliveryFactory.create_batch(2, subscriber=subscriber, kind=Kind.ACCESS)
    DeliveryFactory.create_batch(2, subscriber=subscriber, kind=Kind.CONFIRM)


def test_a_story_email_needs_its_story():
    subscriber = SubscriberFactory()

    refused(subscriber=subscriber, kind=Kind.STORY)
    refused(subscriber=subscriber, kind=Kind.EVENT)
    refused(subscriber=subscriber, kind=Kind.NEWSLETTER)


def test_counts_group_the_states_an_operator_cares_about(published_story):
    for status in (*Delivery.PENDING, Status.SENT, Status.SENT, Status.FAILED, Status.CANCELLED):
        Delivery.objects.create(
            subscriber=SubscriberFactory(), kind=Kind.STORY, story=published_story, status=status
        )

    assert Delivery.objects.counts() == {"sent": 2, "pending": 5, "failed": 1, "cancelled": 1}
    assert Delivery.objects.filter(story=StoryFactory()).counts() == {
        "sent": 0,
        "pending": 0,
        "failed": 0,
        "cancelled": 0,
    }


def test_due_means_queued_or_a_retry_whose_time_came(published_story):
    now = timezone.now()

    def row(status, retry_after=None):
        return Delivery.objects.create(
            subscriber=SubscriberFactory(),
            kind=Kind.STORY,
            story=published_story,
            status=status,
            retry_after=retry_after,
        )

    queued = row(Status.QUEUED)
    retry_now = row(Status.RETRYING, now - datetime.timedelta(seconds=1))
    row(Status.RETRYING, now + datetime.timedelta(minutes=1))
    row(Status.HELD)
    row(Status.SENDING)
    row(Status.SENT)

    assert set(Delivery.objects.due(now)) == {queued, retry_now}


def test_a_follower_many_times_over_is_one_follower(published_story, topic, fellow, pairing):
    SubscriberFactory(
        topics=[topic],
        organizations=[pairing.european_organization, pairing.chinese_organization],
        fellows=[fellow],
        kinds=[published_story.kind, "video"],
    )

    assert Subscriber.objects.following(published_story).count() == 1


def test_following_leaves_out_who_follows_something_else_or_is_not_active(published_story):
    SubscriberFactory(follows_all_news=False, kinds=["video"], topics=[TopicFactory()])
    SubscriberFactory(unconfirmed=True, follows_all_news=True)
    SubscriberFactory(unsubscribed=True)
    SubscriberFactory(suppressed_at=timezone.now())

    assert not Subscriber.objects.following(published_story).exists()


def test_addresses_are_matched_whatever_their_case_and_spaces():
    reader = SubscriberFactory(email="reader@example.org")

    assert Subscriber.objects.with_address("  Reader@EXAMPLE.org ").get() == reader


def test_a_delivery_message_id_is_stable_and_names_the_site():
    delivery = DeliveryFactory()

    assert delivery.message_id("twinning.example") == f"<delivery-{delivery.pk}@twinning.example>"


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        (datetime.datetime(2026, 11, 2, 0, 0, tzinfo=datetime.UTC), datetime.date(2026, 11, 2)),
        (datetime.datetime(2026, 11, 8, 23, 59, tzinfo=datetime.UTC), datetime.date(2026, 11, 2)),
        (datetime.datetime(2026, 11, 9, 7, 0, tzinfo=datetime.UTC), datetime.date(2026, 11, 9)),
    ],
)
def test_a_digest_belongs_to_the_monday_of_its_week(moment, monday):
    assert week_start(moment) == monday


def test_followed_stories_are_the_published_ones_a_subscriber_follows(topic):
    followed = StoryFactory(topics=[topic])
    StoryFactory(topics=[topic], draft=True)
    StoryFactory()
    StoryFactory(kind="video", title="A video")
    reader = SubscriberFactory(follows_all_news=False, topics=[topic], kinds=["report"])

    assert list(reader.followed_stories()) == [followed]


def test_a_newsletter_body_is_rendered_and_sanitised_and_the_archive_lists_sent_ones():
    sent = NewsletterFactory(sent=True, body="Hello **all**\n\n<script>alert(1)</script>")
    NewsletterFactory()

    assert "<strong>all</strong>" in sent.body_html
    assert "<script>" not in sent.body_html
    assert list(Newsletter.objects.sent()) == [sent]
    assert sent.get_absolute_url() == f"/newsletters/{sent.slug}/"
