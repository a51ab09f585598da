"""Which client a subscription request comes from: the rule django-allauth uses for the
sign-in rate limits (ALLAUTH_TRUSTED_PROXY_COUNT, from TWINNING_TRUSTED_PROXY_COUNT), for
the per-client limit on mails and for the consent record."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Consent, Subscriber
from subscriptions.services import client_hash
from tests.subscriptions.test_views import CONFIRM_LINK, form_data, link_in

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("subscriptions:subscribe")
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A fresh cache per test: rate-limit counters never carry over."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


def subscribe(client, number, forwarded_for=None):
    data = form_data(f"reader{number}@example.org", all_news="on")
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(SUBSCRIBE, data, headers=headers)


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.TWINNING_SUBSCRIBE_LIMIT_PER_CLIENT = 2
    client = Client(REMOTE_ADDR="203.0.113.5")

    assert subscribe(client, 1, forwarded_for="198.51.100.1").status_code == 302
    assert subscribe(client, 2, forwarded_for="198.51.100.2").status_code == 302
    # A third "client" by its header is still the same connection: limited.
    assert subscribe(client, 3, forwarded_for="198.51.100.3").status_code == 429
    assert subscribe(client, 4).status_code == 429
    # Another connection is not.
    assert subscribe(Client(REMOTE_ADDR="203.0.113.6"), 5).status_code == 302


def test_behind_a_trusted_proxy_clients_are_limited_separately(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.TWINNING_SUBSCRIBE_LIMIT_PER_CLIENT = 2
    # Every request arrives from the proxy; it appends the address it saw.
    proxy = Client(REMOTE_ADDR=PROXY)

    assert subscribe(proxy, 1, forwarded_for="198.51.100.1").status_code == 302
    assert subscribe(proxy, 2, forwarded_for="198.51.100.1").status_code == 302
    assert subscribe(proxy, 3, forwarded_for="198.51.100.1").status_code == 429
    # A value the client sent itself comes before the proxy's entry and is not believed.
    forged = "192.0.2.77, 198.51.100.1"
    assert subscribe(proxy, 4, forwarded_for=forged).status_code == 429
    # The other client behind the same proxy has its own count.
    assert subscribe(proxy, 5, forwarded_for="198.51.100.2").status_code == 302
    assert subscribe(proxy, 6, forwarded_for="198.51.100.2").status_code == 302
    assert subscribe(proxy, 7, forwarded_for="198.51.100.2").status_code == 429


def test_the_consent_records_the_client_behind_the_proxy(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR=PROXY)

    with django_capture_on_commit_callbacks(execute=True):
        subscribe(proxy, 1, forwarded_for="198.51.100.1")
    confirm = link_in(mailoutbox[0], CONFIRM_LINK)
    with django_capture_on_commit_callbacks(execute=True):
        assert proxy.post(confirm, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200

    consent = Consent.objects.get(subscriber=Subscriber.objects.get(email="reader1@example.org"))
    assert consent.signup_ip_hash == client_hash("198.51.100.1")
    assert consent.confirm_ip_hash == client_hash("198.51.100.2")
