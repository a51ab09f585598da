"""Password reset by email, end to end, without telling whether an address has an account;
password change for the signed-in."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import link_in
from tests.html import text

LOGIN = reverse("account_login")
RESET = reverse("account_reset_password")
RESET_DONE = reverse("account_reset_password_done")
CHANGE = reverse("account_change_password")
OVERVIEW = reverse("accounts:overview")
NEW_PASSWORD = "kunming-in-the-rain-2016"

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def test_forgotten_password_is_replaced_through_the_emailed_link(client, member, mailoutbox):
    response = client.post(RESET, {"email": member.email})

    assert response.status_code == 302
    assert response["Location"] == RESET_DONE
    [message] = mailoutbox
    assert message.to == [member.email]
    assert message.subject == "Twinning: Choose a new password"

    link = link_in(message, "/accounts/password/reset/key/")
    # The key goes into the session and leaves the address bar (no Referer leak).
    form_page = client.get(link)
    assert form_page.status_code == 302
    assert "set-password" in form_page["Location"]
    assert "Choose a new password" in text(client.get(form_page["Location"]))

    response = client.post(
        form_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert "Your password has been changed" in text(client.get(response["Location"]))
    assert sign_in(Client(), member.email, NEW_PASSWORD)["Location"] == OVERVIEW


def test_the_old_password_and_the_used_link_stop_working(client, member, password, mailoutbox):
    client.post(RESET, {"email": member.email})
    link = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = Client().get(link)

    assert "This link no longer works" in text(again)
    refused = sign_in(Client(), member.email, password)
    assert refused.status_code == 200
    assert "not correct" in text(refused)


def test_password_reset_answers_the_same_for_an_unknown_address(member, mailoutbox):
    known = Client().post(RESET, {"email": member.email})
    unknown = Client().post(RESET, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == RESET_DONE
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects == {
        member.email: "Twinning: Choose a new password",
        "nobody@example.org": "Twinning: No account with this address",
    }


def test_the_page_after_a_reset_request_is_the_same_for_any_address(member):
    pages = []
    for email in (member.email, "nobody@example.org"):
        client = Client()
        client.post(RESET, {"email": email})
        pages.append(text(client.get(RESET_DONE)))

    assert pages[0] == pages[1]
    assert "If it belongs to an account" in pages[0]


def test_a_malformed_address_is_a_form_error(client, mailoutbox):
    response = client.post(RESET, {"email": "not-an-address"})

    assert response.status_code == 200
    assert "Enter a valid email address." in text(response)
    assert mailoutbox == []


def test_signed_in_person_changes_their_password_and_is_told_by_email(
    client, member, password, mailoutbox
):
    sign_in(client, member.email, password)

    response = client.post(
        CHANGE,
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == OVERVIEW
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "password" in mailoutbox[0].subject.lower()
    assert sign_in(Client(), member.email, NEW_PASSWORD)["Location"] == OVERVIEW


def test_changing_the_password_needs_the_current_one(client, member, password):
    sign_in(client, member.email, password)

    response = client.post(
        CHANGE,
        {"oldpassword": "guess", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Please type your current password." in text(response)
