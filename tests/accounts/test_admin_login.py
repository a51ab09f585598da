"""The admin's sign-in is the site's own, with the same limits on failed attempts: the
admin's login page only redirects, and credentials posted to it are never checked."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.html import text

LOGIN = reverse("account_login")
ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")
WRONG = "not-the-password"

pytestmark = pytest.mark.django_db


def sign_in(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def sent_to_sign_in(response) -> str:
    """The `next` of a redirect to the site's sign-in page."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == LOGIN
    return parse_qs(location.query)["next"][0]


def test_admin_login_page_redirects_to_the_site_sign_in(client):
    response = client.get(f"{ADMIN_LOGIN}?next={ADMIN}")

    assert sent_to_sign_in(response) == ADMIN


def test_the_admin_sends_visitors_through_the_site_sign_in(client):
    response = client.get(ADMIN, follow=True)

    assert response.redirect_chain[-1][0] == f"{LOGIN}?next=%2Fadmin%2F"
    assert "sign in here to reach the administration" in text(response)


def test_admin_login_keeps_the_page_asked_for(client):
    changelist = reverse("admin:stories_story_changelist")

    response = client.get(changelist, follow=True)

    assert sent_to_sign_in(client.get(response.redirect_chain[0][0])) == changelist


def test_admin_login_never_sends_to_another_site(client):
    response = client.get(f"{ADMIN_LOGIN}?next=https://evil.example/admin/")

    assert sent_to_sign_in(response) == ADMIN


def test_staff_sign_in_on_the_site_and_reach_the_admin(client, staff_member, password):
    response = sign_in(client, staff_member.email, password, next=ADMIN)

    assert response["Location"] == ADMIN
    assert "Twinning administration" in text(client.get(ADMIN))


def test_signed_in_staff_skip_the_admin_login(client, staff_member, password):
    sign_in(client, staff_member.email, password)

    response = client.get(f"{ADMIN_LOGIN}?next={ADMIN}")

    assert response.status_code == 302
    assert response["Location"] == ADMIN


def test_a_person_who_is_not_staff_is_told_they_cannot_use_the_admin(client, member, password):
    sign_in(client, member.email, password, next=ADMIN)

    response = client.get(ADMIN, follow=True)

    assert response.status_code == 403
    page = text(response)
    assert "The administration is for staff" in page
    assert f"You are signed in as {member.email}" in page


def test_posting_credentials_to_the_admin_login_signs_nobody_in(client, staff_member, password):
    response = client.post(
        ADMIN_LOGIN, {"username": staff_member.email, "password": password, "next": ADMIN}
    )

    assert sent_to_sign_in(response) == ADMIN
    assert client.get(ADMIN).status_code == 302, "still signed out"


def test_the_admin_login_cannot_get_round_the_failure_limit(client, staff_member, password):
    for _ in range(5):
        sign_in(client, staff_member.email, WRONG)
    attacker = Client(REMOTE_ADDR="203.0.113.20")

    attacker.post(ADMIN_LOGIN, {"username": staff_member.email, "password": password})
    refused = sign_in(attacker, staff_member.email, password, next=ADMIN)

    assert attacker.get(ADMIN).status_code == 302
    assert "Too many failed login attempts" in text(refused)
