"""Fixtures for the subscription tests: an https site, failing mailers, sending inline.

Celery tasks already run in-process for every test (tests/conftest.py `_celery_eager`), so
wrapping an action in `django_capture_on_commit_callbacks(execute=True)` sends its emails
into `mailoutbox` before the block ends.
"""

import pytest

from tests.subscriptions import backends

SITE = "https://twinning.example"


@pytest.fixture(autouse=True)
def _https_site(settings):
    """Links in emails are built from SITE_URL; production runs behind https."""
    settings.SITE_URL = SITE


@pytest.fixture(autouse=True)
def _reset_backends():
    backends.reset_all()


@pytest.fixture
def mailer(settings):
    """Point the default mailer at a backend of tests/subscriptions/backends.py by name."""

    def use(name):
        settings.MAILERS = {"default": {"BACKEND": f"tests.subscriptions.backends.{name}"}}
        return getattr(backends, name)

    return use


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and everything it enqueues on commit, as a worker would."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run
