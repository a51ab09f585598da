"""Signed links: each works for its own purpose and subscriber only, and confirmations expire."""

import datetime
import time

import pytest
from django.core import signing
from django.utils import timezone

from subscriptions import tokens
from tests.subscriptions.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_a_confirmation_link_carries_the_choices_and_when_it_was_made():
    before = timezone.now()

    payload, made_at = tokens.read_confirm_token(
        tokens.confirm_token({"email": "reader@example.org", "topics": [3]})
    )

    assert payload == {"email": "reader@example.org", "topics": [3]}
    assert before - datetime.timedelta(seconds=1) <= made_at <= timezone.now()


def test_a_management_link_opens_its_own_subscriber_only():
    anna, li = SubscriberFactory(), SubscriberFactory()

    assert tokens.read_manage_token(tokens.manage_token(anna)) == anna.key
    assert tokens.manage_token(anna) != tokens.manage_token(li)
    assert anna.email not in tokens.manage_token(anna)
    assert str(anna.pk) != tokens.read_manage_token(tokens.manage_token(anna))


def test_a_confirmation_link_is_no_management_link_and_the_reverse():
    subscriber = SubscriberFactory()

    with pytest.raises(tokens.BadToken):
        tokens.read_manage_token(tokens.confirm_token({"email": subscriber.email}))
    with pytest.raises(tokens.BadToken):
        tokens.read_confirm_token(tokens.manage_token(subscriber))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "A" + token[1:],
        lambda token: token.replace(":", "", 1),
        lambda token: "",
        lambda token: "not-a-token",
    ],
)
def test_an_altered_link_is_refused(tamper):
    subscriber = SubscriberFactory()
    confirm = tokens.confirm_token({"email": subscriber.email})

    with pytest.raises(tokens.BadToken):
        tokens.read_confirm_token(tamper(confirm))
    with pytest.raises(tokens.BadToken):
        tokens.read_manage_token(tamper(tokens.manage_token(subscriber)))


def test_links_signed_with_another_secret_key_are_refused(settings):
    subscriber = SubscriberFactory()
    ours = settings.SECRET_KEY
    settings.SECRET_KEY = "another-site-entirely-" + "x" * 40
    confirm = tokens.confirm_token({"email": subscriber.email})
    manage = tokens.manage_token(subscriber)
    settings.SECRET_KEY = ours

    with pytest.raises(tokens.BadToken):
        tokens.read_confirm_token(confirm)
    with pytest.raises(tokens.BadToken):
        tokens.read_manage_token(manage)


@pytest.mark.parametrize(
    ("age", "valid"),
    [(datetime.timedelta(days=2, hours=23), True), (datetime.timedelta(days=3, minutes=1), False)],
)
def test_a_confirmation_link_works_for_three_days(monkeypatch, age, valid):
    made = time.time() - age.total_seconds()
    monkeypatch.setattr(time, "time", lambda: made)
    token = tokens.confirm_token({"email": "reader@example.org"})
    monkeypatch.undo()

    if valid:
        assert tokens.read_confirm_token(token)[0] == {"email": "reader@example.org"}
    else:
        with pytest.raises(tokens.BadToken):
            tokens.read_confirm_token(token)


@pytest.mark.parametrize("payload", ["just a string", [1, 2], {"email": "no time"}, {"t": "x"}])
def test_a_validly_signed_but_malformed_confirmation_is_refused(payload):
    token = signing.dumps(payload, salt=tokens.CONFIRM_SALT)

    with pytest.raises(tokens.BadToken):
        tokens.read_confirm_token(token)


def test_management_links_do_not_expire(monkeypatch):
    subscriber = SubscriberFactory()
    year_ago = time.time() - 365 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: year_ago)
    token = tokens.manage_token(subscriber)
    monkeypatch.undo()

    assert tokens.read_manage_token(token) == subscriber.key
