"""What lands in the inbox: headers, personal links, escaping and language of every email.

SITE_URL is https://twinning.example for these tests (conftest `_https_site`).
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from stories.models import Story
from subscriptions import services, tokens
from subscriptions.emails import MessageBuilder
from subscriptions.models import Delivery, Subscriber
from tests.events.factories import EventFactory
from tests.html import PageParser
from tests.stories.factories import StoryFactory
from tests.subscriptions.factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Kind = Delivery.Kind
MESSAGE_ID = re.compile(r"^<delivery-(\d+)@twinning\.example>$")


def html_of(message):
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def html_links(message):
    parser = PageParser()
    parser.feed(html_of(message))
    return parser.links


def text_links(message):
    return re.findall(r"https?://\S+", message.body)


def delivery_of(message):
    return Delivery.objects.get(pk=MESSAGE_ID.match(message.extra_headers["Message-ID"])[1])


def subscriber_behind(url, name):
    """The subscriber a signed link in an email opens the page of."""
    match = resolve(urlsplit(url).path)
    assert match.view_name == f"subscriptions:{name}", url
    return Subscriber.objects.get(key=tokens.read_manage_token(match.kwargs["token"]))


def links_named(urls, name):
    return [url for url in urls if f"/subscriptions/{name}/" in url]


@pytest.fixture
def every_kind_of_email(send, mailoutbox, topic, upcoming_event):
    """One email of each kind, each to its own reader, as a worker sends them."""
    send(
        services.subscription_request,
        email="new@example.org",
        preferences={"topics": [topic.pk], "language": "en"},
        page_language="en",
    )
    token = re.search(r"/subscriptions/confirm/(\S+)/", mailoutbox[0].body)[1]
    send(services.subscriber_confirm, token=token)  # welcome
    reader = SubscriberFactory(email="reader@example.org", follows_events=True)
    send(services.subscriber_request_access, email=reader.email)
    story = StoryFactory(title="Fish & Rice <b>", topics=[topic])
    SubscriberFactory(email="weekly@example.org", weekly=True)
    send(services.story_announce, story=story)
    send(services.event_announce, event=upcoming_event)
    send(services.newsletter_send, newsletter=NewsletterFactory(subject="The 2027 round"))
    send(services.digests_compose)
    assert {delivery_of(message).kind for message in mailoutbox} == set(Kind.values)
    return list(mailoutbox)


# ------------------------------------------------------------------------------
# Headers
# ------------------------------------------------------------------------------
def test_every_email_carries_one_click_unsubscribe_and_its_own_message_id(
    every_kind_of_email,
):
    for message in every_kind_of_email:
        delivery = delivery_of(message)
        headers = message.message()  # as it goes on the wire
        assert headers["Message-ID"] == f"<delivery-{delivery.pk}@twinning.example>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = re.fullmatch(
            r"<(https://twinning\.example/\S+)>", headers["List-Unsubscribe"]
        )
        assert unsubscribe, (delivery.kind, headers["List-Unsubscribe"])
        assert subscriber_behind(unsubscribe[1], "unsubscribe") == delivery.subscriber
        assert message.to == [delivery.subscriber.email]


def test_confirmation_and_access_emails_say_they_are_automatic(every_kind_of_email):
    automatic = {
        delivery_of(message).kind
        for message in every_kind_of_email
        if message.message()["Auto-Submitted"] == "auto-generated"
    }
    assert automatic == {Kind.CONFIRM, Kind.ACCESS}


def test_a_resent_email_keeps_its_message_id(published_story):
    SubscriberFactory()
    services.story_announce(story=published_story)
    delivery = Delivery.objects.get()

    first, second = MessageBuilder().build(delivery), MessageBuilder().build(delivery)

    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]


def test_no_placeholder_survives_into_any_email(every_kind_of_email):
    for message in every_kind_of_email:
        wire = message.message().as_string()
        for part in (message.subject, message.body, html_of(message), wire):
            assert "__twinning_" not in part, delivery_of(message).kind


def test_every_link_in_every_email_is_https_on_the_site(every_kind_of_email):
    for message in every_kind_of_email:
        for url in text_links(message) + html_links(message):
            kind = delivery_of(message).kind
            assert urlsplit(url)[:2] == ("https", "twinning.example"), (kind, url)


# ------------------------------------------------------------------------------
# Personal links in a shared render
# ------------------------------------------------------------------------------
def test_each_reader_in_a_batch_gets_links_to_their_own_preferences(
    published_story, send, mailoutbox
):
    anna = SubscriberFactory(email="anna@example.org")
    li = SubscriberFactory(email="li@example.org")

    send(services.story_announce, story=published_story)

    assert len(mailoutbox) == 2
    seen = set()
    for message in mailoutbox:
        owner = Subscriber.objects.get(email=message.to[0])
        for urls in (text_links(message), html_links(message)):
            manage = links_named(urls, "manage")
            unsubscribe = links_named(urls, "unsubscribe")
            assert manage
            assert unsubscribe
            assert {subscriber_behind(url, "manage") for url in manage} == {owner}
            assert {subscriber_behind(url, "unsubscribe") for url in unsubscribe} == {owner}
            seen.update(manage)
        assert f"This email was sent to {owner.email}." in message.body
    assert len(seen) == 2
    assert {anna, li} == {Subscriber.objects.get(email=m.to[0]) for m in mailoutbox}


def test_an_address_with_html_characters_is_escaped_in_html_only(
    published_story, send, mailoutbox
):
    SubscriberFactory(email="o'brien+news@example.org")

    send(services.story_announce, story=published_story)

    [message] = mailoutbox
    assert "sent to o'brien+news@example.org." in message.body
    assert "o&#x27;brien+news@example.org" in html_of(message)
    assert "o'brien" not in html_of(message)


def test_a_story_title_is_escaped_in_html_and_left_alone_in_text(send, mailoutbox):
    SubscriberFactory()
    story = StoryFactory(title="Fish & Rice <b>", summary='Say "hello" & <script>x</script>')

    send(services.story_announce, story=story)

    [message] = mailoutbox
    html = html_of(message)
    assert message.subject == "Fish & Rice <b>"
    assert "Fish & Rice <b>" in message.body
    assert 'Say "hello" & <script>x</script>' in message.body
    assert "Fish &amp; Rice &lt;b&gt;" in html
    assert "<b>" not in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_title_with_a_line_break_makes_a_one_line_subject(send, mailoutbox):
    SubscriberFactory()
    story = StoryFactory()
    Story.objects.filter(pk=story.pk).update(title="Imported\r\nBcc: everyone@example.org")
    story.refresh_from_db()

    send(services.story_announce, story=story)

    [message] = mailoutbox
    assert message.message()["Subject"] == "Imported Bcc: everyone@example.org"
    assert message.message()["Bcc"] is None


# ------------------------------------------------------------------------------
# Language
# ------------------------------------------------------------------------------
def test_each_reader_gets_the_story_in_their_language(send, mailoutbox):
    SubscriberFactory(email="en@example.org")
    SubscriberFactory(email="zh@example.org", chinese=True)
    story = StoryFactory(kind=Story.Kind.NEWS)

    send(services.story_announce, story=story)

    by_address = {message.to[0]: message for message in mailoutbox}
    chinese, english = by_address["zh@example.org"], by_address["en@example.org"]
    day = story.published_at
    assert f"{day.year}年{day.month}月{day.day}日" in chinese.body
    assert "新闻" in chinese.body  # the story's kind
    assert '<html lang="zh-hans">' in html_of(chinese)
    assert f"{day.day} {day:%B} {day.year}" in english.body
    assert "News ·" in english.body
    assert '<html lang="en">' in html_of(english)
    assert "年" not in english.body


def test_the_confirmation_email_is_in_the_language_chosen_on_the_form(send, mailoutbox):
    send(
        services.subscription_request,
        email="li@example.org",
        preferences={"all_news": True, "language": "zh-hans"},
        page_language="en",
    )

    [message] = mailoutbox
    assert '<html lang="zh-hans">' in html_of(message)


def test_a_chinese_digest_dates_its_week_the_chinese_way(send, mailoutbox):
    SubscriberFactory(weekly=True, chinese=True)
    send(services.story_announce, story=StoryFactory())

    send(services.digests_compose)

    [digest] = mailoutbox
    period = delivery_of(digest).period
    assert f"{period.year}年{period.month}月{period.day}日" in digest.subject


# ------------------------------------------------------------------------------
# Contents
# ------------------------------------------------------------------------------
def test_the_confirmation_email_links_to_a_working_confirmation(topic, send, mailoutbox):
    send(
        services.subscription_request,
        email="reader@example.org",
        preferences={"topics": [topic.pk], "events": True},
        page_language="en",
    )

    [message] = mailoutbox
    assert "Climate change" in message.body
    assert "New events" in message.body
    [url] = [u for u in text_links(message) if "/subscriptions/confirm/" in u]
    assert url in html_links(message)
    subscriber, outcome = services.subscriber_confirm(
        token=resolve(urlsplit(url).path).kwargs["token"]
    )
    assert outcome == services.ConfirmOutcome.CONFIRMED
    assert subscriber.email == "reader@example.org"


def test_the_welcome_email_shows_the_latest_stories_followed(topic, send, mailoutbox):
    followed = StoryFactory(title="River communities of Yunnan", topics=[topic])
    StoryFactory(title="Not about the topic")
    send(
        services.subscription_request,
        email="reader@example.org",
        preferences={"topics": [topic.pk]},
        page_language="en",
    )
    token = re.search(r"/subscriptions/confirm/(\S+)/", mailoutbox[0].body)[1]

    send(services.subscriber_confirm, token=token)

    welcome = mailoutbox[1]
    assert followed.title in welcome.body
    assert "Not about the topic" not in welcome.body
    assert f"https://twinning.example{followed.get_absolute_url()}" in html_links(welcome)


def test_the_digest_lists_each_story_and_event_with_its_link(send, mailoutbox):
    SubscriberFactory(weekly=True, follows_events=True)
    story = StoryFactory(title="Kunming river walk")
    event = EventFactory(title="Alumni meeting in Bonn")
    send(services.story_announce, story=story)
    send(services.event_announce, event=event)

    send(services.digests_compose)

    [digest] = mailoutbox
    for item in (story, event):
        assert item.title in digest.body
        assert f"https://twinning.example{item.get_absolute_url()}" in text_links(digest)
        assert f"https://twinning.example{item.get_absolute_url()}" in html_links(digest)


def test_the_newsletter_email_carries_its_body(send, mailoutbox):
    SubscriberFactory()
    newsletter = NewsletterFactory(subject="The 2027 round is open")

    send(services.newsletter_send, newsletter=newsletter)

    [message] = mailoutbox
    assert message.subject == "The 2027 round is open"
    assert "Applications close on **31 January**." in message.body
    assert "<strong>31 January</strong>" in html_of(message)
    assert f"https://twinning.example{newsletter.get_absolute_url()}" in html_links(message)


def test_the_event_email_gives_time_place_and_link(upcoming_event, send, mailoutbox):
    SubscriberFactory(follows_events=True)

    send(services.event_announce, event=upcoming_event)

    [message] = mailoutbox
    assert "C20 capacity-building workshop" in message.subject
    assert "Hamburg Chamber, Hamburg" in message.body
    assert "(Europe/Berlin)" in message.body
    assert f"https://twinning.example{upcoming_event.get_absolute_url()}" in message.body
