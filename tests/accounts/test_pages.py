"""Every account page in the site's own look, in English and in Chinese; the account
overview; changing the address."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import confirmed, link_in
from tests.accounts.factories import UserFactory
from tests.html import has_link, parse, text

LOGIN = reverse("account_login")
OVERVIEW = reverse("accounts:overview")
EMAIL = reverse("account_email")

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = {
    "sign in": LOGIN,
    "sign up": reverse("account_signup"),
    "password reset": reverse("account_reset_password"),
    "password reset sent": reverse("account_reset_password_done"),
    "verification sent": reverse("account_email_verification_sent"),
    "broken confirmation link": reverse("account_confirm_email", args=["not-a-key"]),
    "broken reset link": reverse(
        "account_reset_password_from_key", kwargs={"uidb36": "1", "key": "not-a-key"}
    ),
    "reset done": reverse("account_reset_password_from_key_done"),
}
PRIVATE_PAGES = {
    "account": OVERVIEW,
    "email": EMAIL,
    "change password": reverse("account_change_password"),
    "sign out": reverse("account_logout"),
    "confirm it is you": reverse("account_reauthenticate"),
}
LANGUAGES = {
    "English": {},
    "Chinese by Accept-Language": {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"},
    "Chinese by the language cookie": {"cookie": "zh-hans"},
}


def visitor(language: str) -> Client:
    options = dict(LANGUAGES[language])
    cookie = options.pop("cookie", None)
    client = Client(**options)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    return client


def assert_in_the_site_look(response, language):
    page = parse(response)
    assert page.html_lang == ("en" if language == "English" else "zh-hans")
    assert "/static/css/site.css" in page.stylesheets
    assert "/static/css/accounts.css" in page.stylesheets
    assert page.inline_scripts == []
    assert page.style_attributes == []
    assert page.event_handler_attributes == []
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert page.title.strip()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_account_page_renders(name, language):
    response = visitor(language).get(PUBLIC_PAGES[name])

    assert response.status_code == 200
    assert_in_the_site_look(response, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_private_account_page_renders(name, language, member, password):
    client = visitor(language)
    client.post(LOGIN, {"login": member.email, "password": password})

    response = client.get(PRIVATE_PAGES[name])

    assert response.status_code == 200
    assert_in_the_site_look(response, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_password_can_be_chosen_by_someone_without_one(language):
    """Accounts made by staff may start without a password."""
    person = confirmed(UserFactory(password=None))
    person.set_unusable_password()
    person.save()
    client = visitor(language)
    client.force_login(person)

    response = client.get(reverse("account_set_password"))

    assert response.status_code == 200
    assert_in_the_site_look(response, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_refusal_renders(language, member, password):
    client = visitor(language)
    client.post(LOGIN, {"login": member.email, "password": password})

    response = client.get(reverse("admin:login"))

    assert response.status_code == 403
    assert_in_the_site_look(response, language)


def test_sign_in_page_speaks_chinese():
    response = visitor("Chinese by the language cookie").get(LOGIN)

    page = text(response)
    assert "电子邮件" in page  # allauth's own translation of the field labels
    assert "密码" in page


def test_chinese_error_messages_on_a_failed_sign_in(member):
    client = visitor("Chinese by Accept-Language")

    response = client.post(LOGIN, {"login": member.email, "password": "wrong"})

    assert response.status_code == 200
    assert "不正确" in text(response)


# ------------------------------------------------------------------------------
# The account overview
# ------------------------------------------------------------------------------
def test_overview_shows_the_address_and_what_can_be_done(client, member, password):
    client.post(LOGIN, {"login": member.email, "password": password})

    response = client.get(OVERVIEW)

    page = text(response)
    assert f"Signed in as {member.email}" in page
    assert "Confirmed" in page
    assert has_link(response, EMAIL)
    assert has_link(response, reverse("account_change_password"))
    assert has_link(response, reverse("subscriptions:account"))
    assert "My email subscription" in page
    assert "Your fellow profile" not in page
    assert not has_link(response, reverse("stories:write"))
    assert not has_link(response, reverse("admin:index"))
    assert response["Cache-Control"].startswith("max-age=0")


def test_overview_links_a_fellow_to_their_public_profile(client, fellow, member, password):
    fellow.user = member
    fellow.save()
    client.post(LOGIN, {"login": member.email, "password": password})

    response = client.get(OVERVIEW)

    assert "Your fellow profile" in text(response)
    assert has_link(response, fellow.get_absolute_url())
    assert has_link(response, reverse("stories:write"))
    assert has_link(response, reverse("stories:mine"))


def test_overview_links_staff_to_the_admin(client, staff_member, password):
    client.post(LOGIN, {"login": staff_member.email, "password": password})

    response = client.get(OVERVIEW)

    assert has_link(response, reverse("admin:index"))
    assert has_link(response, reverse("stories:write"))


def test_sign_out_button_on_the_overview_posts(client, member, password):
    client.post(LOGIN, {"login": member.email, "password": password})

    page = client.get(OVERVIEW).content.decode()

    assert f'method="post" action="{reverse("account_logout")}"' in page


# ------------------------------------------------------------------------------
# Changing the address
# ------------------------------------------------------------------------------
def test_changing_the_address_takes_effect_once_the_new_one_is_confirmed(
    client, member, password, mailoutbox
):
    client.post(LOGIN, {"login": member.email, "password": password})
    asked = client.post(EMAIL, {"email": "mei.lin@example.net", "action_add": ""})
    assert asked["Location"].startswith(reverse("account_reauthenticate"))

    # Once the password is typed again, the change asked for goes ahead.
    response = client.post(asked["Location"], {"password": password})

    assert response.status_code == 302
    assert "Waiting for confirmation" in text(client.get(EMAIL))
    [message] = mailoutbox
    assert message.to == ["mei.lin@example.net"]
    client.post(link_in(message, "/accounts/confirm-email/"))
    member.refresh_from_db()
    assert member.email == "mei.lin@example.net"
    assert list(member.emailaddress_set.values_list("email", flat=True)) == ["mei.lin@example.net"]
    signed_in = Client().post(LOGIN, {"login": "mei.lin@example.net", "password": password})
    assert signed_in["Location"] == OVERVIEW


def test_changing_the_address_asks_for_the_password_first(client, member, mailoutbox):
    client.force_login(member)

    response = client.post(EMAIL, {"email": "mei.lin@example.net", "action_add": ""})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert mailoutbox == []
    member.refresh_from_db()
    assert member.email == "mei@example.org"


def test_a_wrong_password_does_not_unlock_the_change(client, member, mailoutbox):
    client.force_login(member)
    asked = client.post(EMAIL, {"email": "mei.lin@example.net", "action_add": ""})

    refused = client.post(asked["Location"], {"password": "guess"})
    again = client.post(EMAIL, {"email": "mei.lin@example.net", "action_add": ""})

    assert refused.status_code == 200
    assert "Incorrect password." in text(refused)
    assert again["Location"].startswith(reverse("account_reauthenticate"))
    assert mailoutbox == []
