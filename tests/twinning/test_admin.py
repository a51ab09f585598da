"""Staff run the programme in the admin: every model's pages open, search and filter work."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.html import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(published_story, upcoming_event, round_with_pairings, user, confirmed_subscriber):
    """One of each model the admin manages."""
    from allauth.account.models import EmailAddress

    from fellows.models import Invitation
    from tests.fellows.factories import FellowFactory
    from tests.subscriptions.factories import DeliveryFactory, NewsletterFactory

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    NewsletterFactory(subject="Climate news", sent=True)
    Invitation.objects.create(
        fellow=FellowFactory(name="Climate Fellow"),
        email="climate.fellow@twinning.example",
    )
    DeliveryFactory(subscriber=confirmed_subscriber, kind="story", story=published_story)


REGISTERED = {
    model._meta.label: model for model in admin.site._registry if model._meta.app_label != "auth"
}
# Subscribers sign themselves up (double opt-in); the outbox is written by the services.
NO_ADD_PAGE = {"subscriptions.Delivery", "subscriptions.Subscriber"}


@pytest.mark.parametrize("label", sorted(REGISTERED))
def test_changelist_add_and_change_pages_open(admin_client, everything, label):
    model_class = REGISTERED[label]
    app, model = model_class._meta.app_label, model_class._meta.model_name
    changelist = reverse(f"admin:{app}_{model}_changelist")

    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert admin_client.get(changelist, {"q": "climate"}).status_code == 200
    add_status = 403 if label in NO_ADD_PAGE else 200
    assert admin_client.get(reverse(f"admin:{app}_{model}_add")).status_code == add_status

    obj = model_class._default_manager.first()
    assert obj is not None, f"the scenario has no {model}"
    change = reverse(f"admin:{app}_{model}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200


def test_round_change_page_edits_pairings_inline(admin_client, round_with_pairings):
    response = admin_client.get(
        reverse("admin:organizations_exchangeround_change", args=[round_with_pairings.pk])
    )

    assert "Germanwatch" in response.content.decode()
    assert "pairings-TOTAL_FORMS" in response.content.decode()


def test_pairing_change_page_edits_fellows_inline(admin_client, fellow, pairing):
    response = admin_client.get(reverse("admin:organizations_pairing_change", args=[pairing.pk]))

    assert "fellows-TOTAL_FORMS" in response.content.decode()
    assert "Anna Schmidt" in response.content.decode()


def test_autocomplete_finds_organisations(admin_client, pairing):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "green",
            "app_label": "organizations",
            "model_name": "pairing",
            "field_name": "chinese_organization",
        },
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Green Watershed"]


def test_public_visitor_is_sent_to_the_admin_login(client, db):
    response = client.get(reverse("admin:stories_story_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_login_by_email(client, staff_user, user_password):
    """Through the site's sign-in (allauth), which the admin's login page redirects to; the
    full story is in tests/accounts/test_admin_login.py."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=staff_user, email=staff_user.email, verified=True, primary=True
    )
    response = client.post(
        reverse("account_login"),
        {"login": staff_user.email, "password": user_password, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert "Twinning administration" in text(client.get(reverse("admin:index")))


def test_no_admin_add_page_fails_on_a_tampered_prefill(admin_client):
    """An add page takes initial values from its address (`?fellow=12`); a value that is not
    a key shows the form without it, never a server error."""
    failures = []
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        if admin_client.get(url).status_code != 200:
            continue  # nobody adds these by hand (the outbox)
        for field in model._meta.get_fields():
            if field.is_relation and (field.many_to_one or field.many_to_many):
                for value in ("abc", "1,abc", "1 OR 1=1"):
                    status = admin_client.get(url, {field.name: value}).status_code
                    if status != 200:
                        failures.append((url, field.name, value, status))
    assert failures == []
