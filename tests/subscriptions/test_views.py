"""The public pages of "Follow by email": subscribe, confirm, the preference page behind a
signed link, unsubscribe (also RFC 8058 one-click), export, erase, a new link, the account
page and the newsletter archive. Through the test client, with the emails in `mailoutbox`."""

import json
import re
import time
import uuid

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subscriptions import tokens
from subscriptions.models import Consent, Delivery, Subscriber
from tests.fellows.factories import FellowFactory
from tests.html import has_link, parse, text
from tests.organizations.factories import EuropeanOrganizationFactory, TopicFactory
from tests.subscriptions.factories import DeliveryFactory, NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("subscriptions:subscribe")
SENT = reverse("subscriptions:subscribe-sent")
REQUEST_LINK = reverse("subscriptions:request-link")
CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]*(/subscriptions/confirm/[^/\s\"<>]+/)")
MANAGE_LINK = re.compile(r"https?://[^\s\"<>]*(/subscriptions/manage/[^/\s\"<>]+/)")


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A fresh cache per test, so that rate-limit counters never carry over from another
    test or an earlier run (in CI the configured cache is a shared Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """Run what the request enqueues on commit (the Celery tasks run in-process)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def form_data(email="new@example.org", **choices):
    data = {"email": email, "frequency": "immediate", "language": "en"}
    data.update(choices)
    return data


def link_in(message, pattern):
    match = pattern.search(message.body)
    assert match, message.body
    return match.group(1)


def without_csrf(response):
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def subscribers_linked(response, page="manage"):
    """The subscribers whose `page` (manage, unsubscribe) the response links to. Tokens
    carry the time they were made, so they are compared by what they name."""
    hrefs = [*parse(response).links, response.get("Location", "")]
    keys = set()
    for href in hrefs:
        match = re.fullmatch(rf"/subscriptions/{page}/([^/]+)/", href)
        if match:
            keys.add(tokens.read_manage_token(match.group(1)))
    return set(Subscriber.objects.filter(key__in=keys))


def manage_url(subscriber):
    return reverse("subscriptions:manage", args=[tokens.manage_token(subscriber)])


def unsubscribe_url(subscriber):
    return reverse("subscriptions:unsubscribe", args=[tokens.manage_token(subscriber)])


def checked_values(response, name):
    """The values of the checked inputs called `name` on the page."""
    html = response.content.decode()
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return {re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if " checked" in tag}


def is_checked(response, name):
    return bool(re.search(rf'<input[^>]*name="{name}"[^>]*checked', response.content.decode()))


def offered_values(response, name):
    html = response.content.decode()
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return {re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs}


# ------------------------------------------------------------------------------
# The whole flow
# ------------------------------------------------------------------------------
def test_subscribe_confirm_and_manage(client, mailoutbox, sending, topic, published_story):
    response = sending(client.post, SUBSCRIBE, form_data(topics=[topic.pk]))

    assert response.status_code == 302
    assert response["Location"] == SENT
    subscriber = Subscriber.objects.get(email="new@example.org")
    assert not subscriber.is_confirmed
    assert list(subscriber.topics.all()) == []  # nothing applies before the confirmation
    assert len(mailoutbox) == 1
    confirm = link_in(mailoutbox[0], CONFIRM_LINK)
    assert mailoutbox[0].to == ["new@example.org"]

    # Opening the link (or a mail scanner doing so) changes nothing.
    page = sending(client.get, confirm)
    assert page.status_code == 200
    assert "Confirm my subscription" in text(page)
    assert "Climate change" in text(page)  # what the link will apply
    subscriber.refresh_from_db()
    assert not subscriber.is_confirmed
    assert len(mailoutbox) == 1

    # The button does.
    done = sending(client.post, confirm)
    assert done.status_code == 200
    assert "You are subscribed" in text(done)
    assert "welcome email is on its way" in text(done)
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert list(subscriber.topics.all()) == [topic]
    assert Consent.objects.filter(subscriber=subscriber).count() == 1
    assert len(mailoutbox) == 2  # the welcome
    assert mailoutbox[1].to == ["new@example.org"]
    assert subscribers_linked(done) == {subscriber}

    manage = client.get(manage_url(subscriber))
    assert manage.status_code == 200
    assert checked_values(manage, "topics") == {str(topic.pk)}
    assert "new@example.org" in text(manage)


def test_confirming_twice_says_the_link_was_used(client, mailoutbox, sending, topic):
    sending(client.post, SUBSCRIBE, form_data(topics=[topic.pk]))
    confirm = link_in(mailoutbox[0], CONFIRM_LINK)
    sending(client.post, confirm)

    again = sending(client.post, confirm)

    assert again.status_code == 200
    assert "This link was used already" in text(again)
    subscriber = Subscriber.objects.get(email="new@example.org")
    assert subscribers_linked(again) == {subscriber}
    assert len(mailoutbox) == 2  # no second welcome


def test_the_answer_is_the_same_for_known_unknown_and_suppressed_addresses(
    client, confirmed_subscriber, topic
):
    SubscriberFactory(email="bounced@example.org", suppressed_at=timezone.now())
    pages = []
    for email in ("nobody@example.org", confirmed_subscriber.email, "bounced@example.org"):
        response = client.post(SUBSCRIBE, form_data(email, topics=[topic.pk]), follow=True)
        assert response.redirect_chain == [(SENT, 302)]
        pages.append(without_csrf(response))

    assert pages[0] == pages[1] == pages[2]
    assert "Check your inbox" in pages[0]
    assert "If you don’t see it" in pages[0]


def test_a_second_sign_up_changes_nothing_until_confirmed(
    client, mailoutbox, sending, confirmed_subscriber, topic
):
    other = TopicFactory(name="Fair trade", slug="fair-trade")
    data = form_data(confirmed_subscriber.email, topics=[other.pk], frequency="weekly")

    sending(client.post, SUBSCRIBE, data)

    confirmed_subscriber.refresh_from_db()
    assert list(confirmed_subscriber.topics.all()) == [topic]
    assert confirmed_subscriber.frequency == Subscriber.Frequency.IMMEDIATE
    assert len(mailoutbox) == 1

    done = sending(client.post, link_in(mailoutbox[0], CONFIRM_LINK))

    assert "Your choices were updated" in text(done)
    confirmed_subscriber.refresh_from_db()
    assert list(confirmed_subscriber.topics.all()) == [other]
    assert confirmed_subscriber.frequency == Subscriber.Frequency.WEEKLY
    assert len(mailoutbox) == 1  # no welcome for someone already subscribed


# ------------------------------------------------------------------------------
# The form
# ------------------------------------------------------------------------------
def test_subscribe_page_shows_the_choices_and_the_consent_above_the_button(client, topic):
    from subscriptions.consent import current_text

    response = client.get(SUBSCRIBE)

    assert response.status_code == 200
    page = text(response)
    for words in ("All programme news", "New events", "Fellow story", "Climate change"):
        assert words in page
    assert "At once" in page
    assert "A weekly digest" in page
    assert "简体中文" in page
    html = response.content.decode()
    consent_at = html.index(str(current_text()))
    button_at = html.index('<button class="button" type="submit"')
    assert consent_at < button_at
    assert "<input" not in html[consent_at:button_at]  # nothing between the words and the button


def test_topics_are_labelled_in_the_page_language(client, topic):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    response = client.get(SUBSCRIBE)

    assert "气候变化" in text(response)
    assert checked_values(response, "language") == {"zh-hans"}


def test_email_language_defaults_to_english_on_english_pages(client, db):
    assert checked_values(client.get(SUBSCRIBE), "language") == {"en"}


def test_follow_links_prefill_the_form(client, topic, fellow):
    organization = fellow.organization
    other = EuropeanOrganizationFactory(name="Not Chosen Association")
    query = (
        f"?organization={organization.slug}&fellow={fellow.slug}&topic={topic.slug}"
        "&kind=video&news=1&events=1&email=me@example.org"
    )

    response = client.get(SUBSCRIBE + query)

    assert checked_values(response, "organizations") == {str(organization.pk)}
    assert checked_values(response, "fellows") == {str(fellow.pk)}
    assert checked_values(response, "topics") == {str(topic.pk)}
    assert checked_values(response, "kinds") == {"video"}
    assert is_checked(response, "all_news")
    assert is_checked(response, "events")
    assert 'value="me@example.org"' in response.content.decode()
    # Only the organisation asked for is on the page, not all of them.
    assert offered_values(response, "organizations") == {str(organization.pk)}
    assert other.name not in text(response)


def test_the_page_offers_no_organisation_unless_one_was_chosen(client, european_organization):
    response = client.get(SUBSCRIBE)

    assert offered_values(response, "organizations") == set()
    assert european_organization.name not in text(response)


def test_a_follow_link_with_an_unknown_slug_is_ignored(client, db):
    response = client.get(SUBSCRIBE + "?organization=nope&fellow=no%00body&topic=none&kind=x")

    assert response.status_code == 200
    assert offered_values(response, "organizations") == set()


def test_subscribing_to_an_organisation_from_its_follow_link(
    client, mailoutbox, sending, european_organization
):
    url = f"{SUBSCRIBE}?organization={european_organization.slug}"
    data = form_data(organizations=[european_organization.pk])

    sending(client.post, url, data)
    sending(client.post, link_in(mailoutbox[0], CONFIRM_LINK))

    subscriber = Subscriber.objects.get(email="new@example.org")
    assert list(subscriber.organizations.all()) == [european_organization]
    assert subscriber.consents.get().source == url


@pytest.mark.parametrize("bad_id", ["999999", "abc", "99999999999999999999999", "-1", "1.5"])
def test_a_tampered_organisation_id_is_a_form_error(client, mailoutbox, bad_id, db):
    response = client.post(SUBSCRIBE, form_data(organizations=[bad_id]))

    assert response.status_code == 200
    assert "Please check the form" in text(response)
    assert parse(response).title.startswith("Follow by email")
    assert re.search(r'id="id_organizations_error"', response.content.decode())
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_a_tampered_topic_or_kind_is_a_form_error(client, db):
    response = client.post(SUBSCRIBE, form_data(topics=["12345678"], kinds=["gossip"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_topics_error"' in html
    assert 'id="id_kinds_error"' in html
    assert not Subscriber.objects.exists()


def test_following_nothing_is_a_form_error(client, db):
    response = client.post(SUBSCRIBE, form_data())

    assert response.status_code == 200
    assert "Choose at least one thing to follow." in text(response)
    assert not Subscriber.objects.exists()


def test_an_invalid_address_is_an_error_beside_the_field(client, db):
    response = client.post(SUBSCRIBE, form_data("not-an-address", all_news="on"))

    assert response.status_code == 200
    assert "Enter a valid email address." in text(response)
    assert 'aria-describedby="id_email_error"' in response.content.decode()


# ------------------------------------------------------------------------------
# Rate limits
# ------------------------------------------------------------------------------
def test_too_many_sign_ups_for_one_address_get_429_and_keep_the_form(
    client, settings, mailoutbox, sending, topic
):
    settings.TWINNING_SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    data = form_data("Much@Example.org", topics=[topic.pk], frequency="weekly")
    for _ in range(2):
        assert sending(client.post, SUBSCRIBE, data).status_code == 302

    response = sending(client.post, SUBSCRIBE, {**data, "email": "much@example.org "})

    assert response.status_code == 429
    assert "Too many sign-ups" in text(response)
    html = response.content.decode()
    assert 'value="much@example.org"' in html or 'value="much@example.org "' in html
    assert checked_values(response, "topics") == {str(topic.pk)}
    assert checked_values(response, "frequency") == {"weekly"}
    assert len(mailoutbox) == 2
    # Another address from the same client is still fine.
    assert sending(client.post, SUBSCRIBE, form_data(all_news="on")).status_code == 302


def test_too_many_sign_ups_from_one_client_get_429(client, settings, mailoutbox, sending, db):
    settings.TWINNING_SUBSCRIBE_LIMIT_PER_CLIENT = 3
    for number in range(3):
        data = form_data(f"reader{number}@example.org", all_news="on")
        assert sending(client.post, SUBSCRIBE, data).status_code == 302

    response = sending(client.post, SUBSCRIBE, form_data("fourth@example.org", all_news="on"))

    assert response.status_code == 429
    assert len(mailoutbox) == 3
    # Another client is not affected.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(SUBSCRIBE, form_data("fifth@example.org", all_news="on")).status_code == 302


def test_rate_limit_counts_in_the_configured_cache(settings, db):
    """The same counters through the project's cache (Redis in CI): fresh identities, so that
    earlier runs cannot interfere."""
    from django.test.utils import override_settings

    from twinning import settings as project_settings

    with override_settings(CACHES=project_settings.CACHES):
        settings.TWINNING_SUBSCRIBE_LIMIT_PER_ADDRESS = 1
        client = Client(REMOTE_ADDR=f"198.51.100.{uuid.uuid4().int % 250}")
        data = form_data(f"{uuid.uuid4().hex}@example.org", all_news="on")
        assert client.post(SUBSCRIBE, data).status_code == 302
        assert client.post(SUBSCRIBE, data).status_code == 429


def test_invalid_forms_do_not_count_against_the_limit(client, settings, db):
    settings.TWINNING_SUBSCRIBE_LIMIT_PER_ADDRESS = 1
    for _ in range(3):
        assert client.post(SUBSCRIBE, form_data()).status_code == 200  # follows nothing

    assert client.post(SUBSCRIBE, form_data(all_news="on")).status_code == 302


# ------------------------------------------------------------------------------
# Broken links
# ------------------------------------------------------------------------------
TOKEN_PAGES = ["confirm", "manage", "export", "erase", "unsubscribe"]


def bad_tokens(page, subscriber):
    """Every token that must not open `page`: broken ones, and the other page's kind."""
    confirm = tokens.confirm_token({"email": subscriber.email, "all_news": True})
    manage = tokens.manage_token(subscriber)
    candidates = {
        "garbage": "not-a-token",
        "truncated confirm": confirm[:-6],
        "truncated manage": manage[:-4],
        "altered": manage[:-1] + ("A" if manage[-1] != "A" else "B"),
        "manage token": manage,
        "confirm token": confirm,
    }
    valid = confirm if page == "confirm" else manage
    return {name: token for name, token in candidates.items() if token != valid}


@pytest.mark.parametrize("page", TOKEN_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_foreign_token_gets_a_400_page(client, confirmed_subscriber, page, method):
    for name, token in bad_tokens(page, confirmed_subscriber).items():
        response = getattr(client, method)(reverse(f"subscriptions:{page}", args=[token]))

        assert response.status_code == 400, (name, response.status_code)
        assert "This link is not valid" in text(response), name
        assert has_link(response, SUBSCRIBE)

    confirmed_subscriber.refresh_from_db()
    assert confirmed_subscriber.is_active


def test_an_expired_confirmation_link_gets_a_400_page(client, monkeypatch, db):
    made = time.time() - tokens.CONFIRM_MAX_AGE.total_seconds() - 60
    with monkeypatch.context() as past:
        past.setattr(signing.TimestampSigner, "timestamp", lambda _: signing.b62_encode(int(made)))
        token = tokens.confirm_token({"email": "late@example.org", "all_news": True})

    response = client.post(reverse("subscriptions:confirm", args=[token]))

    assert response.status_code == 400
    assert "has expired" in text(response)
    assert not Subscriber.objects.filter(email="late@example.org").exists()


@pytest.mark.parametrize("page", ["manage", "export", "erase", "unsubscribe"])
def test_a_link_of_an_erased_subscriber_gets_a_404_page(client, page, db):
    subscriber = SubscriberFactory()
    token = tokens.manage_token(subscriber)
    subscriber.delete()

    response = client.get(reverse(f"subscriptions:{page}", args=[token]))

    assert response.status_code == 404
    assert "No subscription for this link" in text(response)


@pytest.mark.parametrize("page", TOKEN_PAGES)
def test_pages_behind_a_signed_link_are_private_and_never_in_a_referer(
    client, confirmed_subscriber, page
):
    if page == "confirm":
        token = tokens.confirm_token({"email": confirmed_subscriber.email, "all_news": True})
    else:
        token = tokens.manage_token(confirmed_subscriber)

    response = client.get(reverse(f"subscriptions:{page}", args=[token]))
    broken = client.get(reverse(f"subscriptions:{page}", args=["x" + token]))

    for answer in (response, broken):
        cache_control = {part.strip() for part in answer["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control
        # The origin at most, never the path with the token. (Not no-referrer: browsers
        # then send "Origin: null" with the page's own forms, and CSRF rejects them.)
        assert answer["Referrer-Policy"] == "strict-origin"


# ------------------------------------------------------------------------------
# Unsubscribe
# ------------------------------------------------------------------------------
def test_opening_the_unsubscribe_link_changes_nothing(client, confirmed_subscriber):
    response = client.get(unsubscribe_url(confirmed_subscriber))

    assert response.status_code == 200
    page = parse(response)
    assert "Unsubscribe" in page.text
    assert '<form class="leave-form" method="post"' in response.content.decode()
    confirmed_subscriber.refresh_from_db()
    assert confirmed_subscriber.unsubscribed_at is None


def test_one_click_unsubscribe_without_csrf_token_or_cookies(confirmed_subscriber):
    pending = DeliveryFactory(subscriber=confirmed_subscriber, kind=Delivery.Kind.ACCESS)
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(
        unsubscribe_url(confirmed_subscriber),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "You are unsubscribed" in text(response)
    assert subscribers_linked(response) == {confirmed_subscriber}
    confirmed_subscriber.refresh_from_db()
    assert confirmed_subscriber.unsubscribed_at is not None
    assert not Subscriber.objects.confirmed().filter(pk=confirmed_subscriber.pk).exists()
    pending.refresh_from_db()
    assert pending.status == Delivery.Status.CANCELLED


def test_unsubscribing_twice_is_fine(client, confirmed_subscriber):
    url = unsubscribe_url(confirmed_subscriber)
    client.post(url)
    first = Subscriber.objects.get(pk=confirmed_subscriber.pk).unsubscribed_at

    response = client.post(url)

    assert response.status_code == 200
    assert Subscriber.objects.get(pk=confirmed_subscriber.pk).unsubscribed_at == first


# ------------------------------------------------------------------------------
# The preference page
# ------------------------------------------------------------------------------
def test_preference_page_shows_followed_organisations_and_fellows_only(client, fellow, db):
    organization = fellow.organization
    other = EuropeanOrganizationFactory(name="Not Followed Association")
    subscriber = SubscriberFactory(
        organizations=[organization], fellows=[fellow], kinds=["report"], weekly=True
    )

    token = tokens.manage_token(subscriber)

    response = client.get(reverse("subscriptions:manage", args=[token]))

    assert response.status_code == 200
    assert checked_values(response, "organizations") == {str(organization.pk)}
    assert offered_values(response, "organizations") == {str(organization.pk)}
    assert checked_values(response, "fellows") == {str(fellow.pk)}
    assert checked_values(response, "kinds") == {"report"}
    assert checked_values(response, "frequency") == {"weekly"}
    assert other.name not in text(response)
    assert "confirmed since" in text(response)
    assert has_link(response, reverse("subscriptions:export", args=[token]))
    assert has_link(response, reverse("subscriptions:erase", args=[token]))
    unsubscribe = reverse("subscriptions:unsubscribe", args=[token])
    assert f'action="{unsubscribe}"' in response.content.decode()


def test_saving_preferences(client, confirmed_subscriber, fellow, topic):
    url = manage_url(confirmed_subscriber)
    data = {
        "fellows": [fellow.pk],
        "kinds": ["video"],
        "events": "on",
        "frequency": "weekly",
        "language": "zh-hans",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == url
    assert "Saved" in text(client.get(url))
    confirmed_subscriber.refresh_from_db()
    assert list(confirmed_subscriber.topics.all()) == []  # unchecked
    assert list(confirmed_subscriber.fellows.all()) == [fellow]
    assert confirmed_subscriber.followed_kinds == ["video"]
    assert confirmed_subscriber.follows_events
    assert confirmed_subscriber.frequency == Subscriber.Frequency.WEEKLY
    assert confirmed_subscriber.language == Subscriber.Language.CHINESE


def test_unchecking_everything_is_an_error_that_points_to_unsubscribe(
    client, confirmed_subscriber
):
    response = client.post(
        manage_url(confirmed_subscriber), {"frequency": "immediate", "language": "en"}
    )

    assert response.status_code == 200
    assert "To stop all emails, unsubscribe" in text(response)
    assert confirmed_subscriber.topics.exists()


def test_a_tampered_id_on_the_preference_page_is_a_form_error(client, confirmed_subscriber):
    data = {"organizations": ["987654"], "frequency": "immediate", "language": "en"}

    response = client.post(manage_url(confirmed_subscriber), data)

    assert response.status_code == 200
    assert 'id="id_organizations_error"' in response.content.decode()


def test_an_unconfirmed_subscriber_is_told_to_confirm(client, db):
    subscriber = SubscriberFactory(unconfirmed=True)

    response = client.get(manage_url(subscriber))

    assert response.status_code == 200
    assert "not confirmed yet" in text(response)
    assert offered_values(response, "topics") == set()  # no form to fill in
    posted = client.post(manage_url(subscriber), {"all_news": "on", "frequency": "immediate"})
    assert posted.status_code == 302
    subscriber.refresh_from_db()
    assert not subscriber.follows_all_news


def test_unsubscribed_subscriber_can_come_back(client, db):
    subscriber = SubscriberFactory(unsubscribed=True)
    url = manage_url(subscriber)

    page = client.get(url)
    assert "You are unsubscribed" in text(page)
    assert "Subscribe again" in text(page)

    response = client.post(url, {"resubscribe": "1"})

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert "subscribed again" in text(client.get(url))


# ------------------------------------------------------------------------------
# Their data
# ------------------------------------------------------------------------------
def test_export_is_a_json_download_with_the_address_and_the_consents(
    client, mailoutbox, sending, topic
):
    sending(client.post, SUBSCRIBE, form_data("mine@example.org", topics=[topic.pk]))
    sending(client.post, link_in(mailoutbox[0], CONFIRM_LINK))
    subscriber = Subscriber.objects.get(email="mine@example.org")

    response = client.get(reverse("subscriptions:export", args=[tokens.manage_token(subscriber)]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == ('attachment; filename="twinning-subscription.json"')
    data = json.loads(response.content)
    assert data["email"] == "mine@example.org"
    assert data["follows"]["topics"] == ["Climate change"]
    assert len(data["consents"]) == 1
    assert "Twinning programme" in data["consents"][0]["text"]


def test_erase_asks_first_then_deletes_everything(client, confirmed_subscriber):
    url = reverse("subscriptions:erase", args=[tokens.manage_token(confirmed_subscriber)])

    page = client.get(url)
    assert page.status_code == 200
    assert "cannot be undone" in text(page)
    assert Subscriber.objects.filter(pk=confirmed_subscriber.pk).exists()

    response = client.post(url)

    assert response.status_code == 200
    assert "Your data is erased" in text(response)
    assert not Subscriber.objects.filter(pk=confirmed_subscriber.pk).exists()
    assert client.get(manage_url(confirmed_subscriber)).status_code == 404


# ------------------------------------------------------------------------------
# A new link, the account page
# ------------------------------------------------------------------------------
def test_asking_for_a_new_link_answers_the_same_for_any_address(
    client, mailoutbox, sending, confirmed_subscriber
):
    pages = []
    for email in (confirmed_subscriber.email, "stranger@example.org"):
        response = sending(client.post, REQUEST_LINK, {"email": email}, follow=True)
        assert response.redirect_chain == [(REQUEST_LINK + "?sent=1", 302)]
        pages.append(without_csrf(response))

    assert pages[0] == pages[1]
    assert "Check your inbox" in pages[0]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [confirmed_subscriber.email]
    token = link_in(mailoutbox[0], MANAGE_LINK).split("/")[-2]
    assert tokens.read_manage_token(token) == confirmed_subscriber.key


def test_asking_for_a_new_link_is_rate_limited(client, settings, db):
    settings.TWINNING_SUBSCRIBE_LIMIT_PER_ADDRESS = 1
    client.post(REQUEST_LINK, {"email": "someone@example.org"})

    response = client.post(REQUEST_LINK, {"email": "someone@example.org"})

    assert response.status_code == 429
    assert "Too many requests" in text(response)


def test_account_page_needs_a_signed_in_user(client, db):
    response = client.get(reverse("subscriptions:account"))

    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_account_page_leads_to_the_preference_page(client, user):
    subscriber = SubscriberFactory(email=Subscriber.normalize_email(user.email))
    client.force_login(user)

    response = client.get(reverse("subscriptions:account"))

    assert response.status_code == 302
    assert subscribers_linked(response) == {subscriber}


def test_account_page_invites_to_subscribe_with_the_address_filled_in(client, user):
    client.force_login(user)

    response = client.get(reverse("subscriptions:account"))

    assert response.status_code == 200
    link = next(href for href in parse(response).links if href.startswith(SUBSCRIBE + "?"))
    form = client.get(link)
    assert f'value="{user.email}"' in form.content.decode()


# ------------------------------------------------------------------------------
# Newsletter archive, Follow buttons
# ------------------------------------------------------------------------------
def test_newsletter_archive_lists_only_sent_newsletters(client, db):
    sent = NewsletterFactory(sent=True, subject="The 2027 round is open")
    draft = NewsletterFactory(subject="Not sent yet")

    response = client.get(reverse("subscriptions:newsletters"))

    assert response.status_code == 200
    assert sent.subject in text(response)
    assert draft.subject not in text(response)
    assert has_link(response, sent.get_absolute_url())
    assert client.get(draft.get_absolute_url()).status_code == 404
    detail = client.get(sent.get_absolute_url())
    assert detail.status_code == 200
    assert "Applications close on" in text(detail)


def test_newsletter_archive_is_paginated(client, settings, db):
    for _ in range(30):
        NewsletterFactory(sent=True)

    first = client.get(reverse("subscriptions:newsletters"))
    beyond = client.get(reverse("subscriptions:newsletters") + "?page=99")

    assert "Page 1 of 2" in text(first)
    assert beyond.status_code == 200
    assert "Page 2 of 2" in text(beyond)


def test_footer_links_to_subscribe_and_to_the_newsletters(client, db):
    response = client.get(reverse("home"))

    assert has_link(response, SUBSCRIBE)
    assert has_link(response, reverse("subscriptions:newsletters"))


def test_follow_buttons_link_to_the_prefilled_form(client, fellow, topic):
    organization = fellow.organization

    for page, query in (
        (topic.get_absolute_url(), f"topic={topic.slug}"),
        (organization.get_absolute_url(), f"organization={organization.slug}"),
        (fellow.get_absolute_url(), f"fellow={fellow.slug}"),
    ):
        response = client.get(page)
        assert f"{SUBSCRIBE}?{query}" in parse(response).links, page
        assert "Follow" in text(response)


def test_sitemap_lists_the_sent_newsletters(client, db):
    sent = NewsletterFactory(sent=True)
    draft = NewsletterFactory()

    xml = client.get("/sitemap.xml").content.decode()

    assert sent.get_absolute_url() in xml
    assert draft.get_absolute_url() not in xml


def test_fellows_of_many_organisations_do_not_swell_the_page(client, db):
    for _ in range(5):
        FellowFactory()

    response = client.get(SUBSCRIBE)

    assert offered_values(response, "fellows") == set()
