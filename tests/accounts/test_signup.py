"""Sign-up with an email address and a password; nobody signs in before confirming it; the
form answers the same whether or not the address already has an account."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import link_in
from tests.html import text

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")
SENT = reverse("account_email_verification_sent")
OVERVIEW = reverse("accounts:overview")
NEW_PASSWORD = "rivers-and-mountains-2027"

pytestmark = pytest.mark.django_db


def sign_up(client, email, password=NEW_PASSWORD):
    return client.post(SIGNUP, {"email": email, "password1": password, "password2": password})


def is_signed_in(client) -> bool:
    return client.get(OVERVIEW).status_code == 200


def test_signup_page_asks_for_an_email_address_and_a_password_twice(client):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="email"' in page
    assert page.count('type="password"') == 2
    assert 'name="username"' not in page


def test_sign_up_confirm_by_the_emailed_link_and_be_signed_in(client, mailoutbox):
    response = sign_up(client, "Anna.Schmidt@Example.org")

    assert response.status_code == 302
    assert response["Location"] == SENT
    assert "Check your inbox" in text(client.get(SENT))
    assert not is_signed_in(client)
    [message] = mailoutbox
    assert message.to == ["anna.schmidt@example.org"]
    assert message.subject == "Twinning: Confirm your email address"

    confirm = link_in(message, "/accounts/confirm-email/")
    page = client.get(confirm)
    assert page.status_code == 200
    assert "Is anna.schmidt@example.org your address?" in text(page)
    assert not is_signed_in(client), "opening the link alone confirms nothing"

    response = client.post(confirm)

    assert response.status_code == 302
    assert response["Location"] == OVERVIEW
    assert "Signed in as anna.schmidt@example.org" in text(client.get(OVERVIEW))
    user = get_user_model().objects.get()
    assert user.email == "anna.schmidt@example.org"
    assert user.emailaddress_set.get().verified


def test_confirming_in_another_browser_lets_the_person_sign_in_there(client, mailoutbox):
    sign_up(client, "anna@example.org")
    confirm = link_in(mailoutbox[0], "/accounts/confirm-email/")
    phone = Client()

    phone.post(confirm)
    response = phone.post(LOGIN, {"login": "anna@example.org", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert is_signed_in(phone)


def test_an_unconfirmed_account_cannot_sign_in(client, mailoutbox):
    sign_up(client, "anna@example.org")
    elsewhere = Client()

    response = elsewhere.post(LOGIN, {"login": "anna@example.org", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == SENT
    assert not is_signed_in(elsewhere)


def test_a_broken_confirmation_link_says_so_and_confirms_nothing(client, mailoutbox):
    sign_up(client, "anna@example.org")
    confirm = link_in(mailoutbox[0], "/accounts/confirm-email/")
    broken = confirm[:-6] + "XXXXX/"

    page = client.get(broken)
    client.post(broken)

    assert page.status_code == 200
    assert "This link no longer works" in text(page)
    assert not get_user_model().objects.get().emailaddress_set.get().verified


def test_a_weak_password_is_refused_with_a_reason(client, mailoutbox):
    response = sign_up(client, "anna@example.org", password="12345678")

    assert response.status_code == 200
    assert "This password is too common." in text(response)
    assert mailoutbox == []
    assert not get_user_model().objects.exists()


def test_sign_up_answers_the_same_for_an_address_that_has_an_account(member, mailoutbox):
    known = sign_up(Client(), member.email)
    unknown = sign_up(Client(), "newcomer@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == SENT
    # What each email says, only the owner of the address reads.
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects == {
        member.email: "Twinning: You already have an account",
        "newcomer@example.org": "Twinning: Confirm your email address",
    }
    assert get_user_model().objects.filter(email=member.email).count() == 1


def test_the_account_already_exists_email_offers_a_password_reset(member, mailoutbox):
    sign_up(Client(), member.email)

    [message] = mailoutbox
    assert link_in(message, reverse("account_reset_password"))
    assert "ignore this email" in message.body
