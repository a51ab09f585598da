"""Fixtures for the account tests: a cache of their own (allauth counts its rate limits in
it), people with a confirmed address, and the links the emails carry."""

import re
import uuid

import pytest
from allauth.account.models import EmailAddress

from tests.accounts.factories import PASSWORD, StaffUserFactory, UserFactory

LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A fresh cache per test, so that rate-limit counters never carry over from another
    test or an earlier run (in CI the configured cache is a shared Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-{uuid.uuid4()}",
        }
    }


def confirmed(user):
    """The user's address as allauth records it once confirmed: they may sign in."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def member(db):
    """Someone who signed up and confirmed their address."""
    return confirmed(UserFactory(email="mei@example.org", name="Mei Lin"))


@pytest.fixture
def staff_member(db):
    return confirmed(StaffUserFactory(email="staff@twinning.example"))


@pytest.fixture
def password():
    return PASSWORD


def link_in(message, path_start: str) -> str:
    """The path of the first link in an email's text whose path starts with `path_start`."""
    for url in LINK.findall(message.body):
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        if path.startswith(path_start):
            return path
    raise AssertionError(f"no {path_start} link in: {message.body}")
