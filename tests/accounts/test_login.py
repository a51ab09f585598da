"""Sign in and out on the site's own pages, with allauth's limits on failed attempts."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.html import parse, text

LOGIN = reverse("account_login")
LOGOUT = reverse("account_logout")
OVERVIEW = reverse("accounts:overview")
WRONG = "not-the-password"

pytestmark = pytest.mark.django_db


def sign_in(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def is_signed_in(client) -> bool:
    return client.get(OVERVIEW).status_code == 200


def test_sign_in_with_email_and_password_leads_to_the_account_page(client, member, password):
    response = sign_in(client, member.email, password)

    assert response.status_code == 302
    assert response["Location"] == OVERVIEW
    assert is_signed_in(client)


def test_sign_in_ignores_the_case_of_the_address(client, member, password):
    response = sign_in(client, member.email.upper(), password)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_sign_in_returns_to_the_page_asked_for(client, member, password):
    response = sign_in(client, member.email, password, next="/events/")

    assert response["Location"] == "/events/"


def test_sign_in_never_sends_to_another_site(client, member, password):
    response = sign_in(client, member.email, password, next="https://evil.example/")

    assert response["Location"] == OVERVIEW


def test_wrong_password_and_unknown_address_get_the_same_answer(member):
    wrong = sign_in(Client(), member.email, WRONG)
    unknown = sign_in(Client(), "nobody@example.org", WRONG)

    assert wrong.status_code == unknown.status_code == 200
    message = "The email address and/or password you specified are not correct."
    assert message in text(wrong)
    assert message in text(unknown)


def test_repeated_failures_for_one_address_are_refused_with_a_clear_message(
    client, member, password
):
    for _ in range(5):  # allauth's login_failed limit: 5 per address in 5 minutes
        assert sign_in(client, member.email, WRONG).status_code == 200

    # Even the right password is refused now, from anywhere.
    response = sign_in(Client(REMOTE_ADDR="203.0.113.7"), member.email, password)

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in text(response)
    assert not is_signed_in(client)


def test_the_failure_limit_of_one_address_leaves_other_people_alone(
    client, member, staff_member, password
):
    for _ in range(5):
        sign_in(client, member.email, WRONG)

    response = sign_in(Client(REMOTE_ADDR="203.0.113.8"), staff_member.email, password)

    assert response.status_code == 302


def test_too_many_sign_in_requests_from_one_client_get_a_page_not_an_error(
    client, member, password, settings
):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    sign_in(client, member.email, WRONG)
    sign_in(client, member.email, WRONG)

    response = sign_in(client, member.email, password)

    assert response.status_code == 429
    assert "Too many attempts" in text(response)
    assert parse(response).stylesheets, "the page has the site's look"


def test_rate_limits_count_in_the_configured_cache(member, password):
    """The failure counter through the project's cache (Redis in CI), not only locmem: a
    fresh address and client, so that earlier runs cannot interfere."""
    import uuid

    from django.test.utils import override_settings

    from twinning import settings as project_settings

    email = f"{uuid.uuid4().hex}@example.org"
    client = Client(REMOTE_ADDR=f"198.51.100.{uuid.uuid4().int % 250}")
    with override_settings(CACHES=project_settings.CACHES):
        for _ in range(5):
            sign_in(client, email, WRONG)
        response = sign_in(client, email, WRONG)

    assert "Too many failed login attempts" in text(response)


def test_signing_out_needs_a_post(client, member, password):
    sign_in(client, member.email, password)

    page = client.get(LOGOUT)

    assert page.status_code == 200
    assert "Sign out" in text(page)
    assert is_signed_in(client), "a link (GET) must not sign anyone out"

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not is_signed_in(client)


def test_account_page_is_for_the_signed_in(client):
    response = client.get(OVERVIEW)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN


def test_subscription_shortcut_sends_signed_out_visitors_to_the_sign_in(client):
    subscription = reverse("subscriptions:account")

    response = client.get(subscription)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == LOGIN
    assert parse_qs(location.query) == {"next": [subscription]}


def test_after_signing_in_the_subscription_shortcut_opens(client, member, password):
    subscription = reverse("subscriptions:account")
    login_url = client.get(subscription)["Location"]

    response = client.post(login_url, {"login": member.email, "password": password})

    assert response["Location"] == subscription
    assert client.get(subscription).status_code == 200


def test_top_bar_offers_sign_in_and_comes_back_to_the_page(client):
    response = client.get("/events/?kind=webinar&page=2")

    [sign_in_link] = [href for href in parse(response).links if href.startswith(LOGIN)]
    query = parse_qs(urlsplit(sign_in_link).query)
    assert query == {"next": ["/events/?kind=webinar&page=2"]}


def test_top_bar_leads_the_signed_in_to_their_account(client, member, password):
    sign_in(client, member.email, password)

    response = client.get("/events/")

    assert OVERVIEW in parse(response).links
    assert not [href for href in parse(response).links if href.startswith(LOGIN)]


def test_on_the_account_pages_sign_in_does_not_point_back_at_them(client):
    response = client.get(reverse("account_signup"))

    assert LOGIN in parse(response).links
