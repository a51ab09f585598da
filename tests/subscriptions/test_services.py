"""Subscribing, announcing and digests, seen from the subscriber's inbox and the outbox rows.

Every action runs through `send` (tests/subscriptions/conftest.py): what it enqueues on commit
runs in-process, so `mailoutbox` holds what a real worker would have delivered.
"""

import datetime
import json
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.urls import resolve
from django.utils import timezone

from stories.models import Story
from subscriptions import consent, services, tokens
from subscriptions.models import (
    Consent,
    Delivery,
    KindFollow,
    Newsletter,
    StoryAnnouncement,
    Subscriber,
)
from subscriptions.services import ConfirmOutcome
from tests.events.factories import EventFactory
from tests.stories.factories import StoryFactory
from tests.subscriptions.factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Status = Delivery.Status
Kind = Delivery.Kind
DAY = datetime.timedelta(days=1)


def recipients(outbox):
    return sorted(address for message in outbox for address in message.to)


def preferences(**changes):
    """What the subscribe form sends: nothing followed, at once, in English."""
    return {
        "all_news": False,
        "events": False,
        "kinds": [],
        "topics": [],
        "organizations": [],
        "fellows": [],
        "frequency": "immediate",
        "language": "en",
        **changes,
    }


def confirm_token_in(message):
    """The token of the confirmation link in a confirmation email."""
    url = re.search(r"https://\S+/subscriptions/confirm/\S+/", message.body).group(0)
    return resolve(urlsplit(url).path).kwargs["token"]


def request(send, email, page_language="en", **choices):
    send(
        services.subscription_request,
        email=email,
        preferences=preferences(**choices),
        page_language=page_language,
        source="https://twinning.example/subscribe/",
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    )


# ------------------------------------------------------------------------------
# Who is told about a story
# ------------------------------------------------------------------------------
def test_every_kind_of_follower_is_told_once(
    published_story, topic, fellow, pairing, send, mailoutbox
):
    by_topic = SubscriberFactory(follows_all_news=False, topics=[topic])
    by_organization = SubscriberFactory(
        follows_all_news=False, organizations=[pairing.chinese_organization]
    )
    by_fellow = SubscriberFactory(follows_all_news=False, fellows=[fellow])
    by_kind = SubscriberFactory(follows_all_news=False, kinds=[published_story.kind])
    all_news = SubscriberFactory()
    # Follows the story five ways over: still one email.
    everything = SubscriberFactory(
        topics=[topic],
        organizations=[pairing.european_organization, pairing.chinese_organization],
        fellows=[fellow],
        kinds=[published_story.kind],
    )
    followers = [by_topic, by_organization, by_fellow, by_kind, all_news, everything]

    recorded = send(services.story_announce, story=published_story)

    assert recorded == len(followers)
    assert recipients(mailoutbox) == sorted(s.email for s in followers)
    assert published_story.announcement.recipients == len(followers)


def test_who_has_not_confirmed_left_or_bounced_is_not_told(
    published_story, topic, send, mailoutbox
):
    SubscriberFactory(unconfirmed=True, topics=[topic], email="unconfirmed@example.org")
    SubscriberFactory(unsubscribed=True, email="left@example.org")
    SubscriberFactory(suppressed_at=timezone.now(), email="bounced@example.org")
    SubscriberFactory(follows_all_news=False, kinds=["video"], email="videos@example.org")
    SubscriberFactory(follows_all_news=False, follows_events=True, email="events@example.org")
    told = SubscriberFactory(email="told@example.org")

    assert send(services.story_announce, story=published_story) == 1

    assert recipients(mailoutbox) == [told.email]
    assert not Delivery.objects.exclude(subscriber=told).exists()


def test_weekly_follower_gets_a_held_row_and_an_immediate_one_a_queued_row(published_story):
    weekly = SubscriberFactory(weekly=True)
    immediate = SubscriberFactory()

    services.story_announce(story=published_story)  # nothing runs on commit here

    assert Delivery.objects.get(subscriber=weekly).status == Status.HELD
    assert Delivery.objects.get(subscriber=immediate).status == Status.QUEUED


def test_announcing_twice_sends_nothing_more(published_story, send, mailoutbox):
    SubscriberFactory.create_batch(3)
    assert send(services.story_announce, story=published_story) == 3

    published_story.title = "A summer inside Green Watershed (corrected)"
    published_story.save()
    assert send(services.story_announce, story=published_story) == 0

    assert len(mailoutbox) == 3
    assert Delivery.objects.filter(story=published_story).count() == 3


def test_a_subscriber_who_joins_later_is_not_told_of_an_announced_story(
    published_story, send, mailoutbox
):
    early = SubscriberFactory(email="early@example.org")
    send(services.story_announce, story=published_story)
    SubscriberFactory(email="late@example.org")

    send(services.story_announce, story=published_story)

    assert recipients(mailoutbox) == [early.email]


@pytest.mark.parametrize("story_fixture", ["draft_story", "scheduled_story", "future_story"])
def test_a_story_not_yet_public_records_nothing(story_fixture, request, send, mailoutbox):
    story = request.getfixturevalue(story_fixture)
    SubscriberFactory.create_batch(2)

    assert send(services.story_announce, story=story) == 0

    assert mailoutbox == []
    assert not Delivery.objects.exists()
    assert not StoryAnnouncement.objects.exists()


def test_an_old_story_is_never_announced(send, mailoutbox):
    old = StoryFactory(published_at=timezone.now() - services.ANNOUNCE_WINDOW - DAY)
    SubscriberFactory.create_batch(2)

    assert send(services.story_announce, story=old) == 0
    assert send(services.stories_publish_due) == 0

    assert mailoutbox == []
    assert not Delivery.objects.exists()


# ------------------------------------------------------------------------------
# Scheduled publication (beat)
# ------------------------------------------------------------------------------
def test_a_scheduled_story_is_published_and_announced_once_when_its_time_comes(
    scheduled_story, send, mailoutbox
):
    SubscriberFactory.create_batch(2)
    assert send(services.stories_publish_due) == 0
    assert mailoutbox == []

    Story.objects.filter(pk=scheduled_story.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert send(services.stories_publish_due) == 1
    assert send(services.stories_publish_due) == 0  # beat runs again a minute later

    scheduled_story.refresh_from_db()
    assert scheduled_story.status == Story.Status.PUBLISHED
    assert len(mailoutbox) == 2
    assert {message.subject for message in mailoutbox} == {scheduled_story.title}


def test_a_story_published_with_a_future_time_is_announced_when_it_becomes_visible(
    future_story, send, mailoutbox
):
    SubscriberFactory()
    assert send(services.stories_publish_due) == 0

    Story.objects.filter(pk=future_story.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert send(services.stories_publish_due) == 1

    assert [message.subject for message in mailoutbox] == [future_story.title]


def test_a_story_that_cannot_be_published_does_not_hold_up_the_others(send, mailoutbox):
    SubscriberFactory()
    past = timezone.now() - datetime.timedelta(minutes=5)
    broken = StoryFactory(scheduled=True, title="Broken")
    good = StoryFactory(scheduled=True, title="Good news")
    # A slug that full_clean() refuses, e.g. one imported by hand.
    Story.objects.filter(pk=broken.pk).update(published_at=past, slug="not a slug!")
    Story.objects.filter(pk=good.pk).update(published_at=past)

    assert send(services.stories_publish_due) == 1

    good.refresh_from_db()
    assert good.status == Story.Status.PUBLISHED
    assert [message.subject for message in mailoutbox] == ["Good news"]


# ------------------------------------------------------------------------------
# Weekly digest
# ------------------------------------------------------------------------------
def test_weekly_subscriber_gets_one_digest_with_the_stories_and_events_of_the_week(
    send, mailoutbox
):
    reader = SubscriberFactory(weekly=True, follows_events=True)
    first = StoryFactory(title="Kunming river walk")
    second = StoryFactory(title="Brussels policy week")
    event = EventFactory(title="Alumni meeting in Bonn")
    send(services.story_announce, story=first)
    send(services.story_announce, story=second)
    send(services.event_announce, event=event)
    assert mailoutbox == []  # nothing until the digest

    assert send(services.digests_compose) == 1

    [digest] = mailoutbox
    assert digest.to == [reader.email]
    for title in ("Kunming river walk", "Brussels policy week", "Alumni meeting in Bonn"):
        assert title in digest.body
    assert statuses(kind=Kind.DIGEST) == [Status.SENT]
    assert statuses(kind__in=[Kind.STORY, Kind.EVENT]) == [Status.SENT] * 3


def statuses(**filters):
    return sorted(Delivery.objects.filter(**filters).values_list("status", flat=True))


def test_a_week_with_nothing_new_brings_no_digest(send, mailoutbox):
    SubscriberFactory(weekly=True)

    assert send(services.digests_compose) == 0

    assert mailoutbox == []
    assert not Delivery.objects.exists()


def test_composing_twice_in_a_week_sends_one_digest(published_story, send, mailoutbox):
    SubscriberFactory(weekly=True)
    send(services.story_announce, story=published_story)
    assert send(services.digests_compose) == 1
    later = StoryFactory(title="Arrived after the digest")
    send(services.story_announce, story=later)

    assert send(services.digests_compose) == 0

    assert len(mailoutbox) == 1
    # What arrived after this week's digest waits for next week's.
    assert Delivery.objects.get(story=later).status == Status.HELD
    next_week = timezone.now() + datetime.timedelta(days=7)
    assert send(services.digests_compose, now=next_week) == 1
    assert "Arrived after the digest" in mailoutbox[1].body


def test_a_story_unpublished_before_the_digest_is_left_out(send, mailoutbox):
    SubscriberFactory(weekly=True)
    kept = StoryFactory(title="Still online")
    withdrawn = StoryFactory(title="Withdrawn story")
    send(services.story_announce, story=kept)
    send(services.story_announce, story=withdrawn)
    Story.objects.filter(pk=withdrawn.pk).update(status=Story.Status.DRAFT)

    send(services.digests_compose)

    [digest] = mailoutbox
    assert "Still online" in digest.body
    assert "Withdrawn story" not in digest.body
    assert Delivery.objects.get(story=withdrawn).status == Status.CANCELLED


def test_switching_from_weekly_to_immediate_sends_what_was_held(send, mailoutbox):
    reader = SubscriberFactory(weekly=True)
    first, second = StoryFactory(), StoryFactory()
    send(services.story_announce, story=first)
    send(services.story_announce, story=second)
    assert mailoutbox == []

    send(
        services.subscriber_update_preferences,
        subscriber=reader,
        preferences=preferences(all_news=True, frequency="immediate"),
    )

    assert sorted(message.subject for message in mailoutbox) == sorted([first.title, second.title])
    assert send(services.digests_compose) == 0


def test_unsubscribing_cancels_what_was_waiting(published_story, send, mailoutbox):
    weekly = SubscriberFactory(weekly=True)
    immediate = SubscriberFactory()
    services.story_announce(story=published_story)  # recorded, not yet sent

    send(services.subscriber_unsubscribe, subscriber=weekly)
    send(services.subscriber_unsubscribe, subscriber=immediate)
    send(services.deliveries_sweep, queued_grace=datetime.timedelta(0))
    send(services.digests_compose)

    assert mailoutbox == []
    assert statuses() == [Status.CANCELLED, Status.CANCELLED]


def test_unsubscribing_after_the_digest_was_composed_cancels_it_and_its_contents(
    published_story, django_capture_on_commit_callbacks, send, mailoutbox
):
    reader = SubscriberFactory(weekly=True)
    send(services.story_announce, story=published_story)
    services.digests_compose()  # composed; its send task is not run

    send(services.subscriber_unsubscribe, subscriber=reader)
    send(services.deliveries_sweep, queued_grace=datetime.timedelta(0))

    assert mailoutbox == []
    assert Delivery.objects.counts() == {"sent": 0, "pending": 0, "failed": 0, "cancelled": 2}


# ------------------------------------------------------------------------------
# Events and newsletters
# ------------------------------------------------------------------------------
def test_event_followers_hear_of_a_new_event_once(upcoming_event, send, mailoutbox):
    follower = SubscriberFactory(follows_all_news=False, follows_events=True)
    SubscriberFactory(email="news-only@example.org")  # all news, not events
    SubscriberFactory(follows_events=True, unconfirmed=True)

    assert send(services.event_announce, event=upcoming_event) == 1
    assert send(services.event_announce, event=upcoming_event) == 0

    [message] = mailoutbox
    assert message.to == [follower.email]
    assert upcoming_event.title in message.subject


def test_a_past_event_is_not_announced(past_event, send, mailoutbox):
    SubscriberFactory(follows_events=True)

    assert send(services.event_announce, event=past_event) == 0

    assert mailoutbox == []


def test_a_newsletter_goes_at_once_to_every_news_subscriber_and_only_once(send, mailoutbox):
    newsletter = NewsletterFactory(subject="The 2027 round is open")
    immediate = SubscriberFactory()
    weekly = SubscriberFactory(weekly=True)  # a one-off: not held for the digest
    SubscriberFactory(follows_all_news=False, follows_events=True)  # events only

    assert send(services.newsletter_send, newsletter=newsletter) == 2
    assert send(services.newsletter_send, newsletter=newsletter) == 0

    assert recipients(mailoutbox) == sorted([immediate.email, weekly.email])
    assert {message.subject for message in mailoutbox} == {"The 2027 round is open"}
    newsletter.refresh_from_db()
    assert newsletter.is_sent


# ------------------------------------------------------------------------------
# Subscribing: double opt-in
# ------------------------------------------------------------------------------
def test_signing_up_sends_the_confirmation_and_nothing_else(topic, send, mailoutbox):
    request(send, " Reader@Example.org ", topics=[topic.pk])

    [message] = mailoutbox
    assert message.to == ["reader@example.org"]
    assert "/subscriptions/confirm/" in message.body
    subscriber = Subscriber.objects.get()
    assert not subscriber.is_confirmed
    assert not subscriber.topics.exists()  # the choices wait in the link

    send(services.story_announce, story=StoryFactory(topics=[topic]))
    send(services.newsletter_send, newsletter=NewsletterFactory())
    assert len(mailoutbox) == 1


def test_the_confirmation_email_lists_the_choices_and_speaks_the_chosen_language(
    topic, send, mailoutbox
):
    request(send, "li@example.org", topics=[topic.pk], events=True, language="zh-hans")

    [message] = mailoutbox
    assert "气候变化" in message.body or topic.name in message.body
    assert '<html lang="zh-hans">' in message.alternatives[0].content


def test_confirming_applies_the_choices_records_consent_and_welcomes(
    topic, fellow, published_story, send, mailoutbox
):
    request(
        send,
        "reader@example.org",
        topics=[topic.pk],
        fellows=[fellow.pk],
        kinds=["video", "no-such-kind"],
        frequency="weekly",
        language="zh-hans",
    )
    token = confirm_token_in(mailoutbox[0])

    subscriber, outcome = send(services.subscriber_confirm, token=token, ip="198.51.100.4")

    assert outcome == ConfirmOutcome.CONFIRMED
    assert subscriber.is_active
    assert services.preferences_of(subscriber) == {
        "all_news": False,
        "events": False,
        "kinds": ["video"],
        "topics": [topic.pk],
        "organizations": [],
        "fellows": [fellow.pk],
        "frequency": "weekly",
        "language": "zh-hans",
    }
    [record] = Consent.objects.filter(subscriber=subscriber)
    assert record.version == consent.CURRENT_VERSION
    assert record.text == consent.text(consent.CURRENT_VERSION, "en")
    assert record.source == "https://twinning.example/subscribe/"
    assert record.language == "en"
    assert record.signup_ip_hash == services.client_hash("203.0.113.7")
    assert record.confirm_ip_hash == services.client_hash("198.51.100.4")
    assert record.user_agent_hash
    welcome = mailoutbox[1]
    assert welcome.to == ["reader@example.org"]
    assert published_story.title in welcome.body  # the latest story they follow


def test_no_client_address_is_stored_in_clear(topic, send, mailoutbox):
    request(send, "reader@example.org", topics=[topic.pk])
    token = confirm_token_in(mailoutbox[0])
    send(services.subscriber_confirm, token=token, ip="198.51.100.4")

    stored = serializers.serialize(
        "json",
        [
            *Subscriber.objects.all(),
            *Consent.objects.all(),
            *Delivery.objects.all(),
        ],
    )
    link_payload = json.dumps(tokens.read_confirm_token(token)[0])
    for clear in ("203.0.113.7", "198.51.100.4", "Mozilla/5.0"):
        assert clear not in stored
        assert clear not in link_payload


def test_a_confirmation_link_works_once(topic, send, mailoutbox):
    request(send, "reader@example.org", topics=[topic.pk])
    token = confirm_token_in(mailoutbox[0])
    send(services.subscriber_confirm, token=token)

    subscriber, outcome = send(services.subscriber_confirm, token=token)

    assert outcome == ConfirmOutcome.ALREADY
    assert Consent.objects.filter(subscriber=subscriber).count() == 1
    assert len(mailoutbox) == 2  # confirmation, welcome


def test_an_older_link_does_not_undo_a_later_change(topic, fellow, send, mailoutbox):
    request(send, "reader@example.org", topics=[topic.pk])
    old_token = confirm_token_in(mailoutbox[0])
    request(send, "reader@example.org", fellows=[fellow.pk])
    new_token = confirm_token_in(mailoutbox[1])
    subscriber, _ = send(services.subscriber_confirm, token=new_token)

    subscriber, outcome = send(services.subscriber_confirm, token=old_token)

    assert outcome == ConfirmOutcome.ALREADY
    assert services.preferences_of(subscriber)["fellows"] == [fellow.pk]
    assert services.preferences_of(subscriber)["topics"] == []


def test_a_confirmation_link_made_before_a_change_on_the_preference_page_is_void(
    topic, fellow, send, mailoutbox
):
    reader = SubscriberFactory(follows_all_news=False, topics=[topic])
    request(send, reader.email, all_news=True)
    token = confirm_token_in(mailoutbox[0])
    send(
        services.subscriber_update_preferences,
        subscriber=reader,
        preferences=preferences(fellows=[fellow.pk]),
    )

    _, outcome = send(services.subscriber_confirm, token=token)

    assert outcome == ConfirmOutcome.ALREADY
    reader.refresh_from_db()
    assert not reader.follows_all_news


def test_a_known_address_signing_up_again_updates_its_choices_without_a_welcome(
    topic, send, mailoutbox
):
    reader = SubscriberFactory(follows_all_news=False, topics=[topic])
    request(send, reader.email, all_news=True, language="zh-hans")

    subscriber, outcome = send(services.subscriber_confirm, token=confirm_token_in(mailoutbox[0]))

    assert outcome == ConfirmOutcome.UPDATED
    assert subscriber.follows_all_news
    assert subscriber.language == "zh-hans"
    assert not subscriber.topics.exists()
    assert len(mailoutbox) == 1  # the confirmation only


def test_an_unsubscribed_address_that_confirms_again_is_back_and_welcomed(send, mailoutbox):
    reader = SubscriberFactory(unsubscribed=True)
    request(send, reader.email, all_news=True)

    subscriber, outcome = send(services.subscriber_confirm, token=confirm_token_in(mailoutbox[0]))

    assert outcome == ConfirmOutcome.CONFIRMED
    assert subscriber.is_active
    assert len(mailoutbox) == 2


def test_an_expired_confirmation_link_is_refused(topic, send, mailoutbox, monkeypatch):
    four_days_ago = time.time() - 4 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: four_days_ago)
    request(send, "reader@example.org", topics=[topic.pk])
    monkeypatch.undo()

    with pytest.raises(tokens.BadToken):
        services.subscriber_confirm(token=confirm_token_in(mailoutbox[0]))

    assert not Subscriber.objects.get().is_confirmed


def test_a_link_two_days_old_still_confirms(topic, send, mailoutbox, monkeypatch):
    two_days_ago = time.time() - 2 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: two_days_ago)
    request(send, "reader@example.org", topics=[topic.pk])
    monkeypatch.undo()

    _, outcome = services.subscriber_confirm(token=confirm_token_in(mailoutbox[0]))

    assert outcome == ConfirmOutcome.CONFIRMED


def test_a_tampered_confirmation_link_is_refused(send, mailoutbox):
    request(send, "reader@example.org", all_news=True)
    token = confirm_token_in(mailoutbox[0])
    value, signature = token.rsplit(":", 1)

    for bad in (token[:-2] + "xx", "x" + token, f"{value}:{signature[::-1]}", "", "nonsense"):
        with pytest.raises(tokens.BadToken):
            services.subscriber_confirm(token=bad)

    assert not Subscriber.objects.get().is_confirmed


def test_a_suppressed_address_gets_no_confirmation_request(send, mailoutbox):
    SubscriberFactory(email="bounced@example.org", suppressed_at=timezone.now())

    request(send, "bounced@example.org", all_news=True)

    assert mailoutbox == []
    assert not Delivery.objects.exists()


def test_an_invalid_address_is_refused_and_nothing_is_recorded(send, mailoutbox):
    with pytest.raises(ValidationError):
        request(send, "not an address", all_news=True)

    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_the_choices_cannot_change_which_address_a_link_confirms(send, mailoutbox):
    send(
        services.subscription_request,
        email="reader@example.org",
        preferences=preferences(all_news=True, email="someone-else@example.org"),
        page_language="en",
    )

    subscriber, _ = services.subscriber_confirm(token=confirm_token_in(mailoutbox[0]))

    assert subscriber.email == "reader@example.org"
    assert not Subscriber.objects.filter(email="someone-else@example.org").exists()


def test_a_language_that_is_not_offered_falls_back_to_english(send, mailoutbox):
    request(send, "reader@example.org", all_news=True, language="fr")

    assert Subscriber.objects.get().language == "en"
    assert '<html lang="en">' in mailoutbox[0].alternatives[0].content


def test_a_newsletter_sent_again_reaches_only_who_joined_since(send, mailoutbox):
    newsletter = NewsletterFactory()
    SubscriberFactory(email="early@example.org")
    send(services.newsletter_send, newsletter=newsletter)
    sent_at = Newsletter.objects.get().sent_at
    SubscriberFactory(email="joined-since@example.org")

    assert send(services.newsletter_send, newsletter=newsletter) == 1

    assert recipients(mailoutbox) == ["early@example.org", "joined-since@example.org"]
    assert Newsletter.objects.get().sent_at == sent_at  # the archive keeps the first date


def test_unconfirmed_addresses_are_forgotten_after_thirty_days(send):
    forgotten = SubscriberFactory(unconfirmed=True, email="forgotten@example.org")
    recent = SubscriberFactory(unconfirmed=True, email="recent@example.org")
    confirmed = SubscriberFactory(email="old-reader@example.org")
    month_ago = timezone.now() - datetime.timedelta(days=31)
    Subscriber.objects.filter(pk__in=[forgotten.pk, confirmed.pk]).update(created_at=month_ago)

    purged = services.subscribers_purge_unconfirmed(older_than=datetime.timedelta(days=30))

    assert purged == 1
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        recent.email,
        confirmed.email,
    }


def test_an_old_unconfirmed_address_that_just_asked_again_is_kept(send, mailoutbox):
    request(send, "slow@example.org", all_news=True)
    month_ago = timezone.now() - datetime.timedelta(days=31)
    Subscriber.objects.update(created_at=month_ago)
    Delivery.objects.update(created_at=month_ago)
    services.subscription_request(  # a fresh link today, its email not yet sent
        email="slow@example.org", preferences=preferences(all_news=True), page_language="en"
    )

    assert services.subscribers_purge_unconfirmed(older_than=datetime.timedelta(days=30)) == 0

    subscriber = Subscriber.objects.get()
    assert subscriber.deliveries.filter(kind=Kind.CONFIRM, status=Status.QUEUED).exists()


# ------------------------------------------------------------------------------
# Preferences, leaving, access links
# ------------------------------------------------------------------------------
def test_preferences_round_trip_and_ignore_what_no_longer_exists(topic, fellow):
    reader = SubscriberFactory(follows_all_news=False)
    wanted = preferences(
        all_news=True,
        events=True,
        kinds=["news", "report", "bogus"],
        topics=[topic.pk, 999_999],
        fellows=[fellow.pk],
        frequency="monthly",  # not a choice: falls back to at once
        language="fr",  # not offered: English
    )

    reader = services.subscriber_update_preferences(subscriber=reader, preferences=wanted)

    assert services.preferences_of(reader) == {
        "all_news": True,
        "events": True,
        "kinds": ["news", "report"],
        "topics": [topic.pk],
        "organizations": [],
        "fellows": [fellow.pk],
        "frequency": "immediate",
        "language": "en",
    }
    assert KindFollow.objects.filter(subscriber=reader).count() == 2


def test_an_unsubscribed_reader_gets_nothing_more(published_story, send, mailoutbox):
    reader = SubscriberFactory()
    send(services.subscriber_unsubscribe, subscriber=reader)
    send(services.subscriber_unsubscribe, subscriber=reader)  # twice is harmless

    send(services.story_announce, story=published_story)
    send(services.newsletter_send, newsletter=NewsletterFactory())

    assert mailoutbox == []
    reader.refresh_from_db()
    assert reader.unsubscribed_at is not None


def test_a_reader_who_comes_back_hears_of_new_stories_again(send, mailoutbox):
    reader = SubscriberFactory(unsubscribed=True)

    reader = services.subscriber_resubscribe(subscriber=reader)
    send(services.story_announce, story=StoryFactory())

    assert reader.is_active
    assert recipients(mailoutbox) == [reader.email]


def test_a_confirmed_reader_can_ask_for_a_fresh_link_and_strangers_get_nothing(send, mailoutbox):
    reader = SubscriberFactory(unsubscribed=True)  # may come back through the link
    SubscriberFactory(unconfirmed=True, email="unconfirmed@example.org")

    send(services.subscriber_request_access, email=reader.email.upper())
    send(services.subscriber_request_access, email="stranger@example.org")
    send(services.subscriber_request_access, email="unconfirmed@example.org")

    [message] = mailoutbox
    assert message.to == [reader.email]
    assert "/subscriptions/manage/" in message.body


# ------------------------------------------------------------------------------
# Their data
# ------------------------------------------------------------------------------
def test_the_export_holds_what_is_stored_about_the_subscriber(
    topic, fellow, published_story, send, mailoutbox
):
    request(send, "reader@example.org", topics=[topic.pk], fellows=[fellow.pk], kinds=["video"])
    subscriber, _ = send(services.subscriber_confirm, token=confirm_token_in(mailoutbox[0]))
    send(services.story_announce, story=published_story)

    data = json.loads(json.dumps(services.subscriber_export(subscriber=subscriber)))

    assert data["email"] == "reader@example.org"
    assert data["follows"] == {
        "all_programme_news": False,
        "new_events": False,
        "story_kinds": ["video"],
        "topics": [topic.name],
        "organizations": [],
        "fellows": [fellow.name],
    }
    [record] = data["consents"]
    assert record["text"] == consent.text(consent.CURRENT_VERSION, "en")
    assert record["signup_address_hash"] == services.client_hash("203.0.113.7")
    assert [(e["kind"], e["status"]) for e in data["emails"]] == [
        ("confirm", "sent"),
        ("welcome", "sent"),
        ("story", "sent"),
    ]
    assert data["emails"][2]["about"] == published_story.title
    assert subscriber.key not in json.dumps(data)


def test_erasing_removes_the_subscriber_with_follows_consents_and_history(
    topic, published_story, send, mailoutbox
):
    request(send, "reader@example.org", topics=[topic.pk])
    subscriber, _ = send(services.subscriber_confirm, token=confirm_token_in(mailoutbox[0]))
    send(services.story_announce, story=published_story)
    other = SubscriberFactory(email="other@example.org")

    services.subscriber_erase(subscriber=subscriber)

    assert list(Subscriber.objects.all()) == [other]
    assert not Consent.objects.exists()
    assert not Delivery.objects.exclude(subscriber=other).exists()
    assert not KindFollow.objects.exists()
    assert published_story.announcement.recipients == 1  # the count stays, not the person
