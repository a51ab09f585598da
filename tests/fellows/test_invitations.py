"""Staff invite a fellow by email; the link creates an account tied to the profile, once."""

import re
import smtplib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from celery.exceptions import Retry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fellows import services
from fellows.models import Invitation
from fellows.tasks import profile_email_send
from tests.accounts.factories import UserFactory
from tests.html import text
from twinning.groups import PROGRAMME_MANAGERS, staff_groups_sync

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"
LINK = re.compile(r"(https?://\S+/fellows/invitation/\S+/)")


@pytest.fixture
def manager(client):
    staff_groups_sync()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_MANAGERS))
    return user


@pytest.fixture
def invite(fellow, manager, django_capture_on_commit_callbacks):
    """Invite Anna as a programme manager does, in the admin; returns the emailed link."""

    def run(client, email="anna@germanwatch.example"):
        client.force_login(manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:fellows_invitation_add"),
                {"fellow": fellow.pk, "email": email, "language": "en"},
            )
        assert response.status_code == 302, text(response)[:2000]
        client.logout()
        (message,) = [m for m in mail.outbox if email in m.to]
        return LINK.search(message.body).group(1).removeprefix("http://testserver")

    return run


def test_the_invitation_email_says_what_it_is_for(client, fellow, invite):
    fellow.consent_recorded_at = None
    fellow.save()
    invite(client)

    (message,) = mail.outbox
    assert message.to == ["anna@germanwatch.example"]
    assert message.subject == "Your fellow profile on the EU–China NGO Twinning site"
    assert "Hello Anna Schmidt," in message.body
    assert "visitors see only your initials" in message.body
    html = message.alternatives[0][0]
    assert "Create my account" in html
    invitation = Invitation.objects.get()
    assert invitation.sent_at is not None
    assert invitation.send_attempts == 1


def test_the_link_creates_an_account_tied_to_the_profile(client, fellow, invite):
    link = invite(client)
    page = client.get(link)
    assert "Welcome, Anna Schmidt" in text(page)
    assert page["Referrer-Policy"] == "no-referrer"

    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == fellow.edit_url()
    fellow.refresh_from_db()
    user = get_user_model().objects.get(email="anna@germanwatch.example")
    assert fellow.user == user
    assert EmailAddress.objects.get(user=user).verified  # the link reached the mailbox
    # signed in, on her own edit page
    assert "Your profile" in text(client.get(fellow.edit_url()))
    # and the link is spent
    assert client.get(link).status_code == 404
    client.logout()
    assert client.get(link).status_code == 404


def test_a_weak_or_mismatched_password_is_a_clear_error(client, invite):
    link = invite(client)
    mismatched = client.post(link, {"password1": PASSWORD, "password2": PASSWORD + "!"})
    assert mismatched.status_code == 400
    assert "The two passwords are not the same." in text(mismatched)
    weak = client.post(link, {"password1": "password", "password2": "password"})
    assert weak.status_code == 400
    assert "too common" in text(weak)
    assert not get_user_model().objects.filter(email="anna@germanwatch.example").exists()


def test_a_signed_in_person_accepts_with_their_account(client, fellow, invite):
    link = invite(client)
    member = UserFactory(email="anna.private@example.org")
    client.force_login(member)

    response = client.post(link)

    assert response["Location"] == fellow.edit_url()
    fellow.refresh_from_db()
    assert fellow.user == member


def test_an_existing_account_for_the_address_is_asked_to_sign_in(client, fellow, invite):
    UserFactory(email="anna@germanwatch.example")
    link = invite(client)

    page = client.get(link)
    assert "There is already an account" in text(page)
    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    fellow.refresh_from_db()
    assert fellow.user is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link[:-5] + "AAAA/",
        lambda link: link.replace("/invitation/", "/invitation/x"),
        lambda link: "/fellows/invitation/%00%ff/",
        lambda link: "/fellows/invitation/" + "A" * 3000 + "/",
    ],
)
def test_a_tampered_link_is_a_404_page(client, invite, tamper):
    link = invite(client)
    response = client.get(tamper(link))
    assert response.status_code == 404
    assert "This invitation link is not valid" in text(response)


def test_an_expired_link_is_a_404_page(client, invite):
    link = invite(client)
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=15))
    assert client.get(link).status_code == 404


def test_a_profile_with_an_account_cannot_be_invited(client, fellow, manager):
    fellow.user = UserFactory()
    fellow.save()
    client.force_login(manager)
    response = client.post(
        reverse("admin:fellows_invitation_add"),
        {"fellow": fellow.pk, "email": "someone@example.org", "language": "en"},
    )
    assert response.status_code == 200
    assert "This profile already belongs to an account." in text(response)
    assert not Invitation.objects.exists()


def test_editors_cannot_invite(client, fellow):
    staff_groups_sync()
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(reverse("admin:fellows_invitation_add")).status_code == 403


class FlakySMTP:
    """The first `failures` sends raise a temporary SMTP error, then sending works."""

    def __init__(self, monkeypatch, failures):
        self.failures = failures
        original = mail.EmailMultiAlternatives.send

        def send(message, *args, **kwargs):
            if self.failures:
                self.failures -= 1
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            return original(message, *args, **kwargs)

        monkeypatch.setattr(mail.EmailMultiAlternatives, "send", send)


def test_a_failed_send_is_kept_and_retried_never_sent_twice(fellow, manager, monkeypatch):
    invitation = Invitation.objects.create(
        fellow=fellow, email="anna@germanwatch.example", created_by=manager
    )
    FlakySMTP(monkeypatch, failures=1)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.profile_email_send(kind="invitation", pk=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert invitation.send_attempts == 1
    assert "SMTPServerDisconnected" in invitation.last_error
    assert list(Invitation.objects.unsent()) == [invitation]  # the sweep will take it

    assert services.profile_email_send(kind="invitation", pk=invitation.pk) is True
    assert (
        services.profile_email_send(kind="invitation", pk=invitation.pk) is False
    )  # run twice: once
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.send_attempts == 2
    assert invitation.last_error == ""


def test_the_task_asks_to_be_retried_on_smtp_errors(fellow, monkeypatch):
    invitation = Invitation.objects.create(fellow=fellow, email="anna@germanwatch.example")
    FlakySMTP(monkeypatch, failures=1)

    with pytest.raises(Retry):
        profile_email_send.apply(args=["invitation", invitation.pk], throw=True)
    assert mail.outbox == []
    profile_email_send.apply(args=["invitation", invitation.pk], throw=True)  # the retry
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_sweep_resends_what_was_left_unsent(fellow, monkeypatch):
    pending = Invitation.objects.create(fellow=fellow, email="anna@germanwatch.example")
    Invitation.objects.create(fellow=fellow, email="old@example.org")
    Invitation.objects.filter(email="old@example.org").update(
        created_at=timezone.now() - timedelta(days=20)
    )

    assert services.profile_emails_sweep() == 1
    assert [m.to for m in mail.outbox] == [["anna@germanwatch.example"]]
    pending.refresh_from_db()
    assert pending.sent_at is not None


def test_signing_up_with_the_invited_address_takes_the_profile_once_confirmed(
    client, fellow, invite
):
    """The fellow ignored the link and signed up on the site with the same address."""
    invite(client)
    user = UserFactory(email="anna@germanwatch.example")
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    fellow.refresh_from_db()
    assert fellow.user is None  # not before the address is confirmed

    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    fellow.refresh_from_db()
    assert fellow.user == user
    assert Invitation.objects.get().accepted_at is not None
    # a second confirmation changes nothing
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 1


def test_the_email_tells_a_fellow_with_recorded_choices_to_check_them(client, fellow, invite):
    fellow.name_visibility = 1
    fellow.save()  # the factory's fellow has consent recorded
    invite(client)
    (message,) = mail.outbox
    assert "recorded for you are there for you to check and change" in message.body
    assert "visitors see only your initials" not in message.body


def test_the_account_made_by_the_link_keeps_the_invitations_language(
    client, fellow, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:fellows_invitation_add"),
            {"fellow": fellow.pk, "email": "anna@germanwatch.example", "language": "zh-hans"},
        )
    client.logout()
    link = LINK.search(mail.outbox[0].body).group(1).removeprefix("http://testserver")

    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})

    assert get_user_model().objects.get(email="anna@germanwatch.example").language == "zh-hans"


def test_the_invitation_form_suggests_the_fellows_address_and_language(client, pairing, manager):
    from tests.fellows.factories import FellowFactory

    li_wei = FellowFactory(
        name="Li Wei", pairing=pairing, from_china=True, contact_email="li.wei@example.org"
    )
    client.force_login(manager)
    add = reverse("admin:fellows_invitation_add")

    page = client.get(add, {"fellow": li_wei.pk}).content.decode()

    assert 'value="li.wei@example.org"' in page
    assert '<option value="zh-hans" selected>' in page
    # a tampered fellow number is an empty form, not an error page
    assert client.get(add, {"fellow": "1 OR 1=1"}).status_code == 200
    assert client.get(add, {"fellow": "999999"}).status_code == 200
