import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.db import IntegrityError

from tests.accounts.factories import UserFactory

User = get_user_model()


@pytest.mark.django_db
def test_user_model_is_the_custom_one():
    assert User._meta.label == "accounts.User"
    assert User.USERNAME_FIELD == "email"


@pytest.mark.django_db
def test_user_logs_in_by_email(user_password):
    person = UserFactory(email="mei@twinning.example")

    assert authenticate(email="mei@twinning.example", password=user_password) == person
    assert authenticate(email="mei@twinning.example", password="wrong") is None


@pytest.mark.django_db
def test_client_login_by_email(client, user, user_password):
    assert client.login(email=user.email, password=user_password)


@pytest.mark.django_db
def test_email_is_unique():
    User.objects.create_user(email="same@twinning.example", password="x")

    with pytest.raises(IntegrityError):
        User.objects.create_user(email="same@twinning.example", password="y")


@pytest.mark.django_db
def test_create_user_normalises_email_to_lower_case():
    person = User.objects.create_user(email="Anna.Schmidt@Example.ORG", password="x")

    assert person.email == "anna.schmidt@example.org"


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user(email="", password="x")


@pytest.mark.django_db
def test_create_superuser_is_staff():
    admin = User.objects.create_superuser(email="admin@twinning.example", password="x")

    assert admin.is_staff
    assert admin.is_superuser


def test_mail_goes_to_the_outbox_under_mailers(mailoutbox, settings):
    """Django 6.1 MAILERS: the test environment swaps every mailer for locmem, quietly."""
    assert set(settings.MAILERS) == {"default"}
    locmem = "django.core.mail.backends.locmem.EmailBackend"
    assert settings.MAILERS["default"]["BACKEND"] == locmem

    mail.send_mail("Hello", "Body", None, ["reader@example.org"])

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Hello"
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL
