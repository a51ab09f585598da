"""The emails allauth sends: through Django 6.1's MAILERS, in the site's frame and voice,
with links on the public scheme."""

import warnings

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import link_in

SIGNUP = reverse("account_signup")
RESET = reverse("account_reset_password")
PASSWORD = "rivers-and-mountains-2027"

pytestmark = pytest.mark.django_db


def sign_up(client, email):
    return client.post(SIGNUP, {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def html_part(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_account_emails_raise_no_deprecation_warning(member):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sign_up(Client(), "newcomer@example.org")
        sign_up(Client(), member.email)
        Client().post(RESET, {"email": member.email})
        Client().post(RESET, {"email": "nobody@example.org"})

    assert [str(warning.message) for warning in caught] == []


def test_account_emails_go_through_the_configured_mailer(settings, tmp_path):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": tmp_path},
        }
    }

    sign_up(Client(), "newcomer@example.org")

    [written] = list(tmp_path.iterdir())
    assert "Subject: Twinning: Confirm your email address" in written.read_text()


def test_confirmation_email_has_a_text_and_an_html_part(mailoutbox, settings):
    sign_up(Client(), "newcomer@example.org")

    [message] = mailoutbox
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    link = link_in(message, "/accounts/confirm-email/")
    assert message.body.startswith("Hello,")
    assert link in html_part(message)
    assert settings.SITE_URL in html_part(message)


@pytest.mark.parametrize(
    ("action", "email_kind"),
    [
        (lambda member: sign_up(Client(), "newcomer@example.org"), "confirm"),
        (lambda member: sign_up(Client(), member.email), "already exists"),
        (lambda member: Client().post(RESET, {"email": member.email}), "reset"),
        (lambda member: Client().post(RESET, {"email": "nobody@example.org"}), "unknown"),
    ],
)
def test_account_emails_are_written_in_the_site_voice(action, email_kind, member, mailoutbox):
    action(member)

    [message] = mailoutbox
    assert message.body.startswith("Hello,")
    assert "EU–China NGO Twinning" in message.body
    assert "{" not in message.body, "no template left unrendered"
    html = html_part(message)
    assert html.startswith("<!doctype html>")
    assert "about your account on the EU–China NGO Twinning website" in html


def test_links_in_emails_use_https_behind_https(mailoutbox, settings):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

    Client().post(RESET, {"email": "nobody@example.org"})

    assert "https://testserver/accounts/signup/" in mailoutbox[0].body


def test_emails_are_written_in_the_visitor_language(mailoutbox):
    sign_up(Client(HTTP_ACCEPT_LANGUAGE="zh-CN"), "newcomer@example.org")

    assert '<html lang="zh-hans">' in html_part(mailoutbox[0])


def test_account_emails_follow_the_language_the_person_chose(member, mailoutbox):
    member.language = "zh-hans"
    member.save()

    Client(HTTP_ACCEPT_LANGUAGE="en").post(RESET, {"email": member.email})

    [message] = mailoutbox
    assert '<html lang="zh-hans">' in html_part(message)
    assert message.subject == "Twinning: 设置新密码"
    assert "Hello," not in message.body
