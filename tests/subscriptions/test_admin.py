"""Staff in the admin: publishing tells the followers once, newsletters go to news
subscribers once, the outbox is visible and retryable, and a broker that is down never
holds up publication."""

import datetime
import socket
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import Story
from subscriptions import services
from subscriptions.models import (
    Consent,
    Delivery,
    EventAnnouncement,
    Newsletter,
    StoryAnnouncement,
    Subscriber,
)
from tests.events.factories import EventFactory
from tests.html import parse, text
from tests.organizations.factories import TopicFactory
from tests.stories.factories import StoryFactory
from tests.subscriptions.factories import DeliveryFactory, NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Status = Delivery.Status
STORY_ADD = reverse("admin:stories_story_add")
STORY_LIST = reverse("admin:stories_story_changelist")


# ------------------------------------------------------------------------------
# Helpers: the admin forms as a browser posts them
# ------------------------------------------------------------------------------
def split(moment):
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def story_form(*, status="published", published_at=None, topics=(), **fields):
    """The story add/change form, filled in as staff would (M2M fields as lists of ids)."""
    day, hour = split(published_at) if published_at else ("", "")
    data = {
        "title": "Twinners meet at the just-transition forum",
        "slug": "twinners-meet-at-the-just-transition-forum",
        "kind": "news",
        "summary": "Alumni and the 2027 round in Kunming.",
        "body": "## Two days in Kunming\n\nWhat a **forum**.",
        "status": status,
        "published_at_0": day,
        "published_at_1": hour,
        "author": "",
        "cover_alt": "",
        "video_url": "",
        "round": "",
        "topics": [topic.pk for topic in topics],
        "keywords": [],
        "fellows": [],
        "organizations": [],
        "_save": "Save",
    }
    data.update(fields)
    return data


def story_form_of(story, **changes):
    """The change form of a saved story, with some values changed."""
    values = {
        "status": story.status,
        "published_at": story.published_at,
        "topics": story.topics.all(),
        "title": story.title,
        "slug": story.slug,
        "kind": story.kind,
        "summary": story.summary,
        "body": story.body,
    }
    return story_form(**{**values, **changes})


def post_story(client, data, story=None):
    url = reverse("admin:stories_story_change", args=[story.pk]) if story else STORY_ADD
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, text(response)  # a form error would answer 200 at once
    return response


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.fixture
def followers(confirmed_subscriber, news_subscriber, topic):
    """Who must hear of a climate story: a topic follower and an all-news reader (in
    Chinese). Who must not: someone following another topic, someone who never confirmed,
    someone who left, and an address that bounced."""
    other_topic = TopicFactory(name="Fair trade", slug="fair-trade")
    SubscriberFactory(email="other@example.org", follows_all_news=False, topics=[other_topic])
    SubscriberFactory(email="unconfirmed@example.org", unconfirmed=True, topics=[topic])
    SubscriberFactory(email="left@example.org", unsubscribed=True)
    SubscriberFactory(email="bounced@example.org", suppressed_at=timezone.now())
    return ["news@example.org", "reader@example.org"]


# ------------------------------------------------------------------------------
# Publishing a story
# ------------------------------------------------------------------------------
def test_publishing_a_story_in_the_admin_tells_its_followers_once(
    admin_client, followers, topic, mailoutbox, django_capture_on_commit_callbacks
):
    published_at = timezone.now() - datetime.timedelta(minutes=5)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_story(admin_client, story_form(published_at=published_at, topics=[topic]))

    story = Story.objects.get(slug="twinners-meet-at-the-just-transition-forum")
    assert "2 subscribers will be told about this story." in text(response)
    assert recipients(mailoutbox) == followers
    assert all(
        story.title in message.subject or "Kunming" in message.body for message in mailoutbox
    )
    assert story.announcement.recipients == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.SENT}

    # Saving it again (a typo fixed, a topic added) tells nobody a second time.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_story(
            admin_client, story_form_of(story, title="Twinners in Kunming"), story=story
        )

    assert "will be told" not in text(response)
    assert len(mailoutbox) == 2
    assert Delivery.objects.count() == 2


@pytest.mark.parametrize(
    ("status", "in_minutes", "told_later"),
    [
        ("draft", None, False),
        ("review", None, False),
        ("scheduled", 60 * 24, True),
        ("published", 60 * 24, True),  # published, but at a time still to come
    ],
)
def test_a_story_that_is_not_public_yet_sends_nothing(
    admin_client,
    followers,
    topic,
    mailoutbox,
    django_capture_on_commit_callbacks,
    status,
    in_minutes,
    told_later,
):
    published_at = timezone.now() + datetime.timedelta(minutes=in_minutes) if in_minutes else None

    with django_capture_on_commit_callbacks(execute=True):
        response = post_story(
            admin_client, story_form(status=status, published_at=published_at, topics=[topic])
        )

    assert mailoutbox == []
    assert not Delivery.objects.exists()
    assert not StoryAnnouncement.objects.exists()
    assert ("Followers will be told when it is published" in text(response)) is told_later


def test_a_draft_published_later_in_the_admin_is_announced_then(
    admin_client, followers, topic, mailoutbox, django_capture_on_commit_callbacks
):
    draft = StoryFactory(draft=True, topics=[topic])

    with django_capture_on_commit_callbacks(execute=True):
        post_story(admin_client, story_form_of(draft), story=draft)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        post_story(
            admin_client,
            story_form_of(draft, status="published", published_at=timezone.now()),
            story=draft,
        )
    assert recipients(mailoutbox) == followers


def test_an_old_story_re_saved_in_the_admin_mails_nobody(
    admin_client, followers, topic, mailoutbox, django_capture_on_commit_callbacks
):
    """Fixing a typo in a story from years ago must not mail the whole list about it."""
    old = StoryFactory(published_at=timezone.now() - datetime.timedelta(days=400), topics=[topic])

    with django_capture_on_commit_callbacks(execute=True):
        post_story(admin_client, story_form_of(old, summary="Corrected."), story=old)
    with django_capture_on_commit_callbacks(execute=True):
        draft = StoryFactory(draft=True, topics=[topic])
        backdated = timezone.now() - datetime.timedelta(days=30)
        response = post_story(
            admin_client,
            story_form_of(draft, status="published", published_at=backdated),
            story=draft,
        )

    assert mailoutbox == []
    assert not Delivery.objects.exists()
    assert "stories published more than 2 days ago are not announced" in text(response)


def test_a_suppressed_subscriber_gets_nothing(
    admin_client, topic, mailoutbox, django_capture_on_commit_callbacks
):
    bouncing = SubscriberFactory(email="bouncing@example.org")
    SubscriberFactory(email="fine@example.org")
    pending = DeliveryFactory(subscriber=bouncing, kind=Delivery.Kind.ACCESS)

    response = admin_client.post(
        reverse("admin:subscriptions_subscriber_changelist"),
        {"action": "suppress", "_selected_action": [bouncing.pk]},
        follow=True,
    )
    assert "1 subscriber suppressed" in text(response)
    bouncing.refresh_from_db()
    assert bouncing.suppressed_at is not None
    pending.refresh_from_db()
    assert pending.status == Status.CANCELLED

    with django_capture_on_commit_callbacks(execute=True):
        post_story(admin_client, story_form(published_at=timezone.now(), topics=[topic]))
    assert recipients(mailoutbox) == ["fine@example.org"]


# ------------------------------------------------------------------------------
# What staff see of the emails about each story
# ------------------------------------------------------------------------------
def story_with_deliveries(**kwargs):
    story = StoryFactory(**kwargs)
    for status in (Status.SENT, Status.SENT, Status.QUEUED, Status.HELD, Status.FAILED):
        DeliveryFactory(kind=Delivery.Kind.STORY, story=story, status=status)
    return story


@pytest.mark.parametrize("stories", [2, 20])
def test_story_changelist_shows_email_counts_in_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, stories
):
    for _ in range(stories):
        story_with_deliveries()

    # session, user, the round/topic/keyword filter choices, 2 row counts (filtered,
    # total), the page of stories with its three email counts as subqueries, 2 for the
    # date hierarchy.
    with django_assert_max_num_queries(10):
        response = admin_client.get(STORY_LIST)

    assert response.status_code == 200
    assert text(response).count("2 / 2 / 1") == stories


def test_story_change_page_shows_the_announcement_and_its_emails(admin_client, followers, topic):
    story = StoryFactory(topics=[topic])
    unannounced = StoryFactory()
    services.story_announce(story=story)
    Delivery.objects.filter(subscriber__email="reader@example.org").update(status=Status.FAILED)

    page = text(admin_client.get(reverse("admin:stories_story_change", args=[story.pk])))
    assert "Announced to 2 subscribers on" in page
    assert "0 sent, 1 pending, 1 failed" in page
    assert f"{reverse('admin:subscriptions_delivery_changelist')}?story__id__exact={story.pk}" in (
        parse(admin_client.get(reverse("admin:stories_story_change", args=[story.pk]))).links
    )

    page = text(admin_client.get(reverse("admin:stories_story_change", args=[unannounced.pk])))
    assert "Not announced yet." in page


def test_a_storys_deliveries_are_listed_from_its_page(admin_client):
    story = story_with_deliveries(title="Forum in Kunming")
    other = story_with_deliveries()

    response = admin_client.get(
        reverse("admin:subscriptions_delivery_changelist"), {"story__id__exact": story.pk}
    )

    assert response.status_code == 200
    assert text(response).count("Forum in Kunming") >= 5
    assert other.title not in text(response)


# ------------------------------------------------------------------------------
# Redis down at publication
# ------------------------------------------------------------------------------
@pytest.fixture
def broker_at():
    """Point the Celery app at another broker, for real (not eager). The app caches its
    broker connection pool and producer pool: they are set aside for the test and put
    back afterwards, so later tests use the broker they had."""
    from twinning.celery import app

    saved_conf = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    saved_pools = app._pool, app.amqp._producer_pool

    def point_at(url):
        app.conf.update(task_always_eager=False, broker_url=url)
        app._pool = app.amqp._producer_pool = None
        return app

    yield point_at
    app.conf.update(saved_conf)
    app._pool, app.amqp._producer_pool = saved_pools


@pytest.fixture
def black_hole():
    """A port that never answers a connection: a listening socket whose accept queue is
    full, so the kernel drops further SYNs (an unreachable host, without the network)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    for sock in [*fillers, server]:
        sock.close()


@pytest.fixture
def refused():
    """A port nothing listens on: the connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.mark.parametrize("broker", ["refused", "black_hole"])
def test_with_redis_unreachable_publishing_in_the_admin_answers_within_two_seconds(
    admin_client,
    followers,
    topic,
    mailoutbox,
    django_capture_on_commit_callbacks,
    broker_at,
    request,
    caplog,
    broker,
):
    app = broker_at(request.getfixturevalue(broker))

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            STORY_ADD, story_form(published_at=timezone.now(), topics=[topic])
        )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 2.0, f"publication waited {elapsed:.2f}s on the broker"
    assert "the sweep will send it later" in caplog.text
    story = Story.objects.get()
    assert story.is_published
    assert mailoutbox == []
    deliveries = Delivery.objects.filter(story=story)
    assert sorted(deliveries.values_list("subscriber__email", flat=True)) == followers
    assert set(deliveries.values_list("status", flat=True)) == {Status.QUEUED}

    # Redis is back (here: eager tasks) and beat runs the sweep: every email goes out, once.
    app.conf.task_always_eager = True
    services.deliveries_sweep(queued_grace=datetime.timedelta(0))
    services.deliveries_sweep(queued_grace=datetime.timedelta(0))

    assert recipients(mailoutbox) == followers
    assert set(deliveries.values_list("status", flat=True)) == {Status.SENT}


# ------------------------------------------------------------------------------
# Events
# ------------------------------------------------------------------------------
def event_form(**fields):
    starts = timezone.now() + datetime.timedelta(days=20)
    ends = starts + datetime.timedelta(hours=3)
    data = {
        "title": "Webinar: repair, reuse, share",
        "slug": "webinar-repair-reuse-share",
        "kind": "webinar",
        "summary": "Tool libraries and repair cafés.",
        "description": "Alumni from **Shanghai** and Aarhus.",
        "starts_at_0": split(starts)[0],
        "starts_at_1": split(starts)[1],
        "ends_at_0": split(ends)[0],
        "ends_at_1": split(ends)[1],
        "time_zone": "Europe/Berlin",
        "venue": "",
        "city": "",
        "online_url": "https://meet.twinning.example/repair",
        "capacity": "",
        "recording_url": "",
        "round": "",
        "topics": [],
        "organizations": [],
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    return data


@pytest.fixture
def event_followers(db):
    SubscriberFactory(email="events@example.org", follows_events=True, follows_all_news=False)
    SubscriberFactory(email="stories-only@example.org")
    SubscriberFactory(email="not-yet@example.org", unconfirmed=True, follows_events=True)
    return ["events@example.org"]


def test_adding_an_upcoming_event_tells_event_followers_once(
    admin_client, event_followers, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:events_event_add"), event_form(), follow=True)

    assert "1 event follower will be told." in text(response)
    assert recipients(mailoutbox) == event_followers
    event = EventAnnouncement.objects.get().event

    change = reverse("admin:events_event_change", args=[event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(change, event_form(title="Webinar: repair and reuse"), follow=True)
    assert len(mailoutbox) == 1
    page = text(admin_client.get(change))
    assert "Announced to 1 event follower on" in page
    assert "1 sent, 0 pending, 0 failed" in page


def test_announce_action_tells_followers_of_upcoming_events_only(
    admin_client, event_followers, mailoutbox, django_capture_on_commit_callbacks
):
    upcoming, past = EventFactory(), EventFactory(past=True)

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("admin:events_event_changelist"),
                {"action": "announce", "_selected_action": [upcoming.pk, past.pk]},
                follow=True,
            )

    assert "2 events skipped" in text(response)
    assert recipients(mailoutbox) == event_followers
    assert list(EventAnnouncement.objects.values_list("event", flat=True)) == [upcoming.pk]


# ------------------------------------------------------------------------------
# Newsletters
# ------------------------------------------------------------------------------
NEWSLETTER_LIST = reverse("admin:subscriptions_newsletter_changelist")


def send_action(client, newsletter):
    return client.post(
        NEWSLETTER_LIST, {"action": "send", "_selected_action": [newsletter.pk]}, follow=True
    )


def test_sending_a_newsletter_mails_news_subscribers_once(
    admin_client, followers, mailoutbox, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="weekly@example.org", weekly=True)
    newsletter = NewsletterFactory(subject="The twinning returns")

    with django_capture_on_commit_callbacks(execute=True):
        response = send_action(admin_client, newsletter)

    assert "“The twinning returns”: sent to 2 subscribers." in text(response)
    assert recipients(mailoutbox) == ["news@example.org", "weekly@example.org"]
    newsletter.refresh_from_db()
    assert newsletter.is_sent

    with django_capture_on_commit_callbacks(execute=True):
        response = send_action(admin_client, newsletter)

    assert "nobody new to send it to" in text(response)
    assert len(mailoutbox) == 2
    assert "2 / 0 / 0" in text(admin_client.get(NEWSLETTER_LIST))


@pytest.mark.parametrize("newsletters", [2, 20])
def test_newsletter_changelist_counts_in_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, newsletters
):
    for _ in range(newsletters):
        newsletter = NewsletterFactory(sent=True)
        DeliveryFactory(kind=Delivery.Kind.NEWSLETTER, newsletter=newsletter, status=Status.SENT)

    # session, user, 2 row counts, the page with its three email counts as subqueries
    with django_assert_max_num_queries(5):
        response = admin_client.get(NEWSLETTER_LIST)

    assert text(response).count("1 / 0 / 0") == newsletters


def test_a_sent_newsletter_can_no_longer_be_edited(admin_client):
    draft = NewsletterFactory(subject="Draft")
    sent = NewsletterFactory(sent=True, subject="As it was sent")

    draft_page = admin_client.get(
        reverse("admin:subscriptions_newsletter_change", args=[draft.pk])
    )
    sent_url = reverse("admin:subscriptions_newsletter_change", args=[sent.pk])
    sent_page = admin_client.get(sent_url)
    admin_client.post(sent_url, {"subject": "Changed", "slug": "changed", "body": "New."})

    assert 'name="subject"' in draft_page.content.decode()
    assert 'name="subject"' not in sent_page.content.decode()
    assert "As it was sent" in text(sent_page)
    sent.refresh_from_db()
    assert (sent.subject, sent.slug) == ("As it was sent", sent.slug)


def test_newsletter_is_written_and_saved_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:subscriptions_newsletter_add"),
        {
            "subject": "Alumni small grants",
            "slug": "alumni-small-grants",
            "summary": "Six joint projects.",
            "body": "## Six projects\n\nFunded.",
        },
    )

    assert response.status_code == 302
    newsletter = Newsletter.objects.get()
    assert "<h2>Six projects</h2>" in newsletter.body_html
    assert not newsletter.is_sent


# ------------------------------------------------------------------------------
# The outbox
# ------------------------------------------------------------------------------
DELIVERY_LIST = reverse("admin:subscriptions_delivery_changelist")


def test_delivery_admin_lists_the_outbox_read_only(admin_client, published_story):
    delivery = DeliveryFactory(
        kind=Delivery.Kind.STORY,
        story=published_story,
        status=Status.FAILED,
        subscriber__email="failing@example.org",
        last_error="550 5.1.1 mailbox unavailable " + "x" * 200,
    )

    listing = text(admin_client.get(DELIVERY_LIST))
    change = admin_client.get(reverse("admin:subscriptions_delivery_change", args=[delivery.pk]))

    assert "failing@example.org" in listing
    assert published_story.title in listing
    assert "550 5.1.1 mailbox unavailable" in listing
    assert "x" * 100 not in listing  # truncated in the list
    assert change.status_code == 200
    assert 'name="status"' not in change.content.decode()
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.get(reverse("admin:subscriptions_delivery_add")).status_code == 403
    assert admin_client.get(DELIVERY_LIST, {"q": "failing@"}).status_code == 200


def test_retry_now_sends_failed_deliveries_once(
    admin_client, published_story, mailoutbox, django_capture_on_commit_callbacks
):
    failed = DeliveryFactory(
        kind=Delivery.Kind.STORY,
        story=published_story,
        status=Status.FAILED,
        attempts=6,
        subscriber__email="back@example.org",
    )
    sent = DeliveryFactory(
        kind=Delivery.Kind.STORY,
        story=published_story,
        status=Status.SENT,
        subscriber__email="done@example.org",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            DELIVERY_LIST,
            {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert "1 email queued again." in text(response)
    assert recipients(mailoutbox) == ["back@example.org"]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)


# ------------------------------------------------------------------------------
# Subscribers
# ------------------------------------------------------------------------------
SUBSCRIBER_LIST = reverse("admin:subscriptions_subscriber_changelist")


def test_subscriber_list_filters_by_status(admin_client, followers):
    def emails(status):
        return {
            address
            for address in [
                "unconfirmed@example.org",
                "left@example.org",
                "bounced@example.org",
                *followers,
            ]
            if address in text(admin_client.get(SUBSCRIBER_LIST, {"status": status}))
        }

    assert emails("receiving") == set(followers)
    assert emails("unconfirmed") == {"unconfirmed@example.org"}
    assert emails("unsubscribed") == {"left@example.org"}
    assert emails("suppressed") == {"bounced@example.org"}


def test_subscriber_page_shows_consent_and_follows(admin_client, confirmed_subscriber):
    Consent.objects.create(
        subscriber=confirmed_subscriber,
        given_at=timezone.now(),
        version="2026-1",
        text="I agree to receive emails about what I follow.",
        language="en",
        source="https://twinning.example/subscribe/",
    )

    response = admin_client.get(
        reverse("admin:subscriptions_subscriber_change", args=[confirmed_subscriber.pk])
    )

    page = response.content.decode()
    assert "I agree to receive emails about what I follow." in text(response)
    assert "Climate change" in text(response)
    assert 'name="email"' not in page  # the address is the subscriber's to change
    assert 'name="consents-0-text"' not in page
    assert admin_client.get(reverse("admin:subscriptions_subscriber_add")).status_code == 403


def test_erasing_a_subscriber_removes_everything_stored_about_them(
    admin_client, confirmed_subscriber, published_story
):
    DeliveryFactory(subscriber=confirmed_subscriber, kind="story", story=published_story)
    Consent.objects.create(
        subscriber=confirmed_subscriber, given_at=timezone.now(), version="1", text="Yes."
    )
    keep = SubscriberFactory(email="keep@example.org")
    selected = {"action": "delete_selected", "_selected_action": [confirmed_subscriber.pk]}

    confirm = admin_client.post(SUBSCRIBER_LIST, selected)
    assert "Erase" in text(admin_client.get(SUBSCRIBER_LIST))
    assert "reader@example.org" in text(confirm)
    response = admin_client.post(SUBSCRIBER_LIST, {**selected, "post": "yes"}, follow=True)

    assert response.status_code == 200
    assert list(Subscriber.objects.all()) == [keep]
    assert not Delivery.objects.exists()
    assert not Consent.objects.exists()


def test_a_newsletter_is_sent_from_its_own_page(
    admin_client, news_subscriber, mailoutbox, django_capture_on_commit_callbacks
):
    newsletter = NewsletterFactory(subject="Alumni small grants")
    change = reverse("admin:subscriptions_newsletter_change", args=[newsletter.pk])
    assert "Not sent yet" in text(admin_client.get(change))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            change,
            {"CHANGE_FORM-action": "send", "_selected_action": [newsletter.pk], "index": 0},
            follow=True,
        )

    assert "“Alumni small grants”: sent to 1 subscriber." in text(response)
    assert recipients(mailoutbox) == ["news@example.org"]
    page = text(admin_client.get(change))
    assert "Sent on" in page
    assert "1 sent, 0 pending, 0 failed" in page
