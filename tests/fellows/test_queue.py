"""The real parts for invitations: a Celery worker on Redis sends the email over SMTP, once.

Same set-up as tests/subscriptions/test_queue.py (a private redis-server, an SMTP sink in this
process, a worker child process on the test database): skips without PostgreSQL and a
redis-server binary, fails instead with TWINNING_REQUIRE_SERVICES=1.
"""

import re

import pytest
from django.db import transaction

from fellows import services
from fellows.models import Invitation
from tests.subscriptions.smtp import wait_until
from tests.subscriptions.test_queue import (  # noqa: F401 (fixtures)
    broker,
    queue_services,
    redis_server,
    sink,
    start_worker,
)

pytestmark = pytest.mark.queue

LINK = re.compile(r"https://twinning\.example/fellows/invitation/[^/\s]+/")


def test_an_invitation_is_sent_once_by_a_worker(start_worker, sink, fellow, staff_user):  # noqa: F811
    start_worker()

    with transaction.atomic():  # as the admin does: the task is published on commit
        invitation = services.invitation_create(
            fellow=fellow, email="anna@germanwatch.example", by=staff_user
        )

    wait_until(lambda: sink.count >= 1, timeout=30, what="the invitation email")
    wait_until(
        lambda: Invitation.objects.get(pk=invitation.pk).sent_at is not None,
        timeout=10,
        what="the invitation marked sent",
    )
    # A second run of the task (a redelivery) sends nothing more.
    assert services.profile_email_send(kind="invitation", pk=invitation.pk) is False
    (message,) = sink.messages
    assert message.recipients == ("anna@germanwatch.example",)
    assert message["Subject"] == "Your fellow profile on the EU–China NGO Twinning site"
    assert LINK.search(message.message.get_body(("plain",)).get_content())
