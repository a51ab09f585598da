"""The two staff groups: editors run stories and events, programme managers run the rounds.

Each can do what it should in the admin and nothing more.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.accounts.factories import UserFactory
from twinning.groups import EDITORS, PROGRAMME_MANAGERS, staff_groups_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff_groups_sync()

    def sign_in(group_name):
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=group_name))
        client.force_login(user)
        return client

    return sign_in


EDITOR_CAN = [
    "admin:stories_story_add",
    "admin:stories_story_changelist",
    "admin:stories_keyword_add",
    "admin:events_event_add",
    "admin:subscriptions_newsletter_add",
    "admin:organizations_organization_changelist",  # view only, for autocomplete
    "admin:fellows_fellow_changelist",
]
EDITOR_CANNOT = [
    "admin:organizations_organization_add",
    "admin:organizations_pairing_add",
    "admin:organizations_exchangeround_add",
    "admin:fellows_fellow_add",
    "admin:fellows_invitation_add",
    "admin:subscriptions_subscriber_changelist",
    "admin:accounts_user_changelist",
    "admin:auth_group_changelist",
]
MANAGER_CAN = [
    "admin:organizations_organization_add",
    "admin:organizations_pairing_add",
    "admin:organizations_exchangeround_add",
    "admin:organizations_topic_add",
    "admin:fellows_fellow_add",
    "admin:fellows_invitation_add",  # invite a fellow to keep the profile
    "admin:fellows_invitation_changelist",
    "admin:stories_story_changelist",  # view only
]
MANAGER_CANNOT = [
    "admin:stories_story_add",
    "admin:events_event_add",
    "admin:subscriptions_newsletter_add",
    "admin:subscriptions_subscriber_changelist",
    "admin:accounts_user_changelist",
]


@pytest.mark.parametrize("url_name", EDITOR_CAN)
def test_editors_can(staff_client, url_name):
    assert staff_client(EDITORS).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", EDITOR_CANNOT)
def test_editors_cannot(staff_client, url_name):
    assert staff_client(EDITORS).get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("url_name", MANAGER_CAN)
def test_programme_managers_can(staff_client, url_name):
    assert staff_client(PROGRAMME_MANAGERS).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", MANAGER_CANNOT)
def test_programme_managers_cannot(staff_client, url_name):
    assert staff_client(PROGRAMME_MANAGERS).get(reverse(url_name)).status_code == 403


def test_an_editor_sees_an_organisation_but_cannot_change_it(staff_client, european_organization):
    client = staff_client(EDITORS)
    url = reverse("admin:organizations_organization_change", args=[european_organization.pk])

    response = client.get(url)
    refused = client.post(url, {"name": "Renamed"})

    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert refused.status_code == 403
    european_organization.refresh_from_db()
    assert european_organization.name == "Germanwatch"


def test_syncing_twice_keeps_exactly_the_defined_permissions():
    staff_groups_sync()
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.add(*Group.objects.get(name=PROGRAMME_MANAGERS).permissions.all())

    staff_groups_sync()

    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert "add_story" in codenames
    assert "add_organization" not in codenames
    assert Group.objects.filter(name__in=[EDITORS, PROGRAMME_MANAGERS]).count() == 2


def test_syncing_the_groups_leaves_the_installed_apps_as_they_were():
    """It emptied every app's models module, after which a flush left the database without
    content types (post_migrate skips such apps)."""
    from django.apps import apps

    staff_groups_sync()
    assert [
        config.label
        for config in apps.get_app_configs()
        if config.models and config.models_module is None
    ] == []
