"""Email backends that fail the way real SMTP servers do (STYLE convention 14).

Each one keeps the messages it accepts in `mail.outbox`, as the locmem backend does, so a test
reads what was delivered from `mailoutbox`. Their state lives on the class (the outbox builds
a new backend per batch); `reset_all()` runs before every test of this package.

Point the default mailer at one with the `mailer` fixture:
`mailer("FailsOnceBackend")`.
"""

import smtplib
import time

from django.core.mail.backends.locmem import EmailBackend


class RecordingBackend(EmailBackend):
    """Delivers every message and counts connections: how many opened, what each carried."""

    opened = 0
    per_connection: list[int]

    def open(self):
        type(self).opened += 1
        type(self).per_connection.append(0)
        return True

    def send_messages(self, messages):
        for message in messages:
            self.fail_for(message)
        sent = super().send_messages(messages)
        if type(self).per_connection:
            type(self).per_connection[-1] += sent
        return sent

    def fail_for(self, message):
        """Raise the SMTP error the server would answer this message with, if any."""

    @classmethod
    def reset(cls):
        cls.opened = 0
        cls.per_connection = []


class SlowBackend(RecordingBackend):
    """A server that takes its time over each message, so that two senders overlap."""

    def fail_for(self, message):
        time.sleep(0.05)


class DisconnectsOnceBackend(RecordingBackend):
    """The server drops the connection during the first message, then works again."""

    failures = 0

    def fail_for(self, message):
        if type(self).failures == 0:
            type(self).failures += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    @classmethod
    def reset(cls):
        super().reset()
        cls.failures = 0


class DefersOnceBackend(RecordingBackend):
    """Greylisting: the first message is deferred with a 451, later ones are accepted."""

    failures = 0

    def fail_for(self, message):
        if type(self).failures == 0:
            type(self).failures += 1
            raise smtplib.SMTPDataError(451, b"4.7.1 Greylisted, please try again later")

    @classmethod
    def reset(cls):
        super().reset()
        cls.failures = 0


class AlwaysDefersBackend(RecordingBackend):
    """A server that answers every message with a temporary error."""

    def fail_for(self, message):
        raise smtplib.SMTPDataError(451, b"4.3.0 Mail server temporarily unavailable")


class RefusesBouncesBackend(RecordingBackend):
    """Mailboxes whose address starts with "bounce" do not exist (550); others work."""

    def fail_for(self, message):
        refused = {
            address: (550, b"5.1.1 User unknown")
            for address in message.to
            if address.startswith("bounce")
        }
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


class ConnectionRefusedBackend(RecordingBackend):
    """Nothing listens on the SMTP port."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


BACKENDS = (
    RecordingBackend,
    SlowBackend,
    DisconnectsOnceBackend,
    DefersOnceBackend,
    AlwaysDefersBackend,
    RefusesBouncesBackend,
    ConnectionRefusedBackend,
)


def reset_all():
    for backend in BACKENDS:
        backend.reset()
