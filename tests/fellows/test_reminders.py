"""Staff see stale profiles and ask their fellows, by email, to check and confirm them."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fellows import services
from fellows.models import ProfileReminder
from tests.accounts.factories import UserFactory
from tests.fellows.factories import FellowFactory
from tests.html import text
from twinning.groups import staff_groups_sync

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:fellows_fellow_changelist")


@pytest.fixture
def fellows(pairing):
    """Two stale profiles with accounts (one from China), one without an account, one fresh."""
    return {
        "never": FellowFactory(
            name="Anna Schmidt", pairing=pairing, user=UserFactory(email="anna@example.org")
        ),
        "old": FellowFactory(
            name="Li Wei",
            pairing=pairing,
            from_china=True,
            user=UserFactory(email="li.wei@example.org"),
            confirmed_at=timezone.now() - timedelta(days=500),
        ),
        "no account": FellowFactory(name="Marie Dubois", pairing=pairing),
        "fresh": FellowFactory(
            name="Tom Berg",
            pairing=pairing,
            user=UserFactory(email="tom@example.org"),
            confirmed_at=timezone.now() - timedelta(days=3),
        ),
    }


def test_staff_filter_the_stale_profiles(manager_client, fellows):
    page = text(manager_client.get(CHANGELIST, {"confirmed": "stale"}))
    assert "Anna Schmidt" in page
    assert "Li Wei" in page
    assert "Marie Dubois" in page
    assert "Tom Berg" not in page


def test_staff_ask_the_stale_fellows_to_confirm(
    manager_client, fellows, django_capture_on_commit_callbacks
):
    stale = [fellows["never"], fellows["old"], fellows["no account"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            CHANGELIST,
            {"action": "remind_to_confirm", "_selected_action": [f.pk for f in stale]},
            follow=True,
        )

    assert "2 reminders are on their way. 1 fellows were left out" in text(response)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"anna@example.org", "li.wei@example.org"}
    english = by_address["anna@example.org"]
    assert english.subject == "Is your Twinning profile still right?"
    assert "You have not yet confirmed your profile" in english.body
    assert re.search(r"https?://\S+/fellows/me/", english.body)
    chinese = by_address["li.wei@example.org"]
    assert chinese.subject != english.subject  # written in Chinese for a fellow from China
    assert all(r.sent_at for r in ProfileReminder.objects.all())
    # Shown on the fellow's admin page.
    change = manager_client.get(reverse("admin:fellows_fellow_change", args=[fellows["old"].pk]))
    assert "li.wei@example.org" in text(change)


def test_a_fellow_is_asked_at_most_once_a_week(fellows, staff_user):
    from fellows.models import Fellow

    everyone = Fellow.objects.filter(pk=fellows["never"].pk)
    assert len(services.reminders_create(fellows=everyone, by=staff_user)) == 1
    assert services.reminders_create(fellows=everyone, by=staff_user) == []
    ProfileReminder.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert len(services.reminders_create(fellows=everyone, by=staff_user)) == 1


def test_a_reminder_is_sent_once(fellows, staff_user):
    from fellows.models import Fellow

    (reminder,) = services.reminders_create(
        fellows=Fellow.objects.filter(pk=fellows["never"].pk), by=staff_user
    )
    assert services.profile_email_send(kind="reminder", pk=reminder.pk) is True
    assert services.profile_email_send(kind="reminder", pk=reminder.pk) is False
    assert len(mail.outbox) == 1


def test_editors_cannot_send_reminders(client, fellows):
    staff_groups_sync()
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    client.post(
        CHANGELIST,
        {"action": "remind_to_confirm", "_selected_action": [fellows["never"].pk]},
    )
    assert not ProfileReminder.objects.exists()


def test_a_reminder_is_written_in_the_language_the_fellow_chose(fellows, staff_user):
    from fellows.models import Fellow

    # Anna, from Europe, reads Chinese; Li Wei, from China, chose English.
    fellows["never"].user.language = "zh-hans"
    fellows["never"].user.save()
    fellows["old"].user.language = "en"
    fellows["old"].user.save()
    # Marie has no account; Tom's account has no choice recorded: the guess stands.
    tom = fellows["fresh"]
    tom.direction = Fellow.Direction.CHINA_TO_EUROPE
    tom.confirmed_at = None
    tom.save()

    reminders = services.reminders_create(fellows=Fellow.objects.all(), by=staff_user)

    assert {reminder.fellow.name: reminder.language for reminder in reminders} == {
        "Anna Schmidt": "zh-hans",
        "Li Wei": "en",
        "Tom Berg": "zh-hans",
    }
