"""We write to people in their language: the one they signed up in, until they choose
another on their account page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.accounts.test_signup import sign_up
from tests.html import text

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("accounts:overview")
LANGUAGE = reverse("accounts:language")


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [("zh-CN,zh;q=0.9", "zh-hans"), ("en-GB,en;q=0.8", "en"), ("fr-FR", "en")],
)
def test_a_new_account_keeps_the_language_it_was_made_in(accept_language, language):
    client = Client(headers={"accept-language": accept_language})
    sign_up(client, "mei@example.org")
    assert get_user_model().objects.get(email="mei@example.org").language == language


def test_the_account_page_shows_the_language_and_saves_another(client, member):
    member.language = "en"
    member.save()
    client.force_login(member)

    page = client.get(OVERVIEW).content.decode()
    assert '<option value="en" selected>English</option>' in page
    assert '<option value="zh-hans">简体中文</option>' in page

    response = client.post(LANGUAGE, {"language": "zh-hans"}, follow=True)

    assert response.redirect_chain == [(OVERVIEW, 302)]
    assert "Saved: we will write to you in 简体中文." in text(response)
    member.refresh_from_db()
    assert member.language == "zh-hans"


def test_someone_who_never_chose_sees_the_language_they_are_reading(member):
    client = Client(headers={"accept-language": "zh-CN"})
    client.force_login(member)
    assert '<option value="zh-hans" selected>简体中文</option>' in (
        client.get(OVERVIEW).content.decode()
    )


def test_a_tampered_choice_changes_nothing_and_says_so(client, member):
    member.language = "en"
    member.save()
    client.force_login(member)

    response = client.post(LANGUAGE, {"language": "xx"}, follow=True)

    assert "Choose one of the languages in the list." in text(response)
    member.refresh_from_db()
    assert member.language == "en"


def test_the_language_form_needs_a_signed_in_post(client):
    response = client.post(LANGUAGE, {"language": "zh-hans"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(LANGUAGE).status_code == 405
