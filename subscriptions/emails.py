"""Rendering outbox rows into email messages.

Templates: `templates/emails/subscriptions/<kind>_subject.txt`, `<kind>.txt`, `<kind>.html`.
A story, event or newsletter reads the same for every subscriber of one language, so it is
rendered once per batch and language, with placeholders for the per-subscriber links (which
keeps a batch of thousands of messages from re-rendering the same templates).
"""

import binascii
import email.message
import email.policy
import email.utils
import functools
import re
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from stories.models import Story

from . import tokens
from .models import Delivery, Subscriber

Kind = Delivery.Kind

# Shared renders carry these in place of the subscriber's own links and address.
MANAGE_PLACEHOLDER = "__twinning_manage_url__"
UNSUBSCRIBE_PLACEHOLDER = "__twinning_unsubscribe_url__"
EMAIL_PLACEHOLDER = "__twinning_email__"
SHARED_KINDS = {Kind.STORY, Kind.EVENT, Kind.NEWSLETTER}


def site_url(path: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + path


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def manage_url(subscriber: Subscriber) -> str:
    return site_url(reverse("subscriptions:manage", args=[tokens.manage_token(subscriber)]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return site_url(reverse("subscriptions:unsubscribe", args=[tokens.manage_token(subscriber)]))


# Stands for the signed token in links reversed once per batch (see MessageBuilder.links).
_SIGNED = "__twinning_token__"


def _render(kind: str, context: dict) -> tuple[str, str, str]:
    base = f"emails/subscriptions/{kind}"
    subject = render_to_string(f"{base}_subject.txt", context)
    text = render_to_string(f"{base}.txt", context)
    html = render_to_string(f"{base}.html", context)
    return " ".join(subject.split()), text, html


class MessageBuilder:
    """Builds the messages of one batch; keeps the shared renders for the batch's life."""

    def __init__(self):
        self._shared = {}
        self.domain = site_domain()
        self._manage = site_url(reverse("subscriptions:manage", args=[_SIGNED]))
        self._unsubscribe = site_url(reverse("subscriptions:unsubscribe", args=[_SIGNED]))

    def links(self, subscriber: Subscriber) -> tuple[str, str]:
        """The subscriber's preference and unsubscribe links (manage_url, unsubscribe_url):
        one signature for both, the URLs reversed once per batch."""
        token = tokens.manage_token(subscriber)
        return self._manage.replace(_SIGNED, token), self._unsubscribe.replace(_SIGNED, token)

    def build(self, delivery: Delivery) -> EmailMultiAlternatives:
        subscriber = delivery.subscriber
        language = self.language_of(delivery)
        manage, unsubscribe = self.links(subscriber)
        if delivery.kind in SHARED_KINDS:
            subject, text, html = self._shared_render(delivery, language)
            text = (
                text.replace(MANAGE_PLACEHOLDER, manage)
                .replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe)
                .replace(EMAIL_PLACEHOLDER, subscriber.email)
            )
            html = (
                html.replace(MANAGE_PLACEHOLDER, manage)
                .replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe)
                .replace(EMAIL_PLACEHOLDER, escape(subscriber.email))
            )
        else:
            context = self.base_context(language) | {
                "subscriber": subscriber,
                "email": subscriber.email,
                "manage_url": manage,
                "unsubscribe_url": unsubscribe,
                **self.personal_context(delivery),
            }
            with translation.override(language):
                subject, text, html = _render(delivery.kind, context)
        message = OutboxMessage(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[subscriber.email],
            headers={
                "Message-ID": delivery.message_id(self.domain),
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                **(
                    {"Auto-Submitted": "auto-generated"}
                    if delivery.kind in (Kind.CONFIRM, Kind.ACCESS)
                    else {}
                ),
            },
        )
        message.attach_alternative(html, "text/html")
        return message

    @staticmethod
    def language_of(delivery: Delivery) -> str:
        if delivery.kind == Kind.CONFIRM:
            return delivery.payload.get("language") or delivery.subscriber.language
        return delivery.subscriber.language

    def base_context(self, language: str) -> dict:
        return {
            "site_name": "Twinning",
            "site_url": site_url(),
            "language": language,
            "archive_url": site_url(reverse("subscriptions:newsletters")),
        }

    def _shared_render(self, delivery: Delivery, language: str):
        item = delivery.subject_object
        key = (delivery.kind, item.pk, language)
        if key not in self._shared:
            context = self.base_context(language) | {
                "email": EMAIL_PLACEHOLDER,
                "manage_url": MANAGE_PLACEHOLDER,
                "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
                "item": item,
                "item_url": site_url(item.get_absolute_url()),
            }
            with translation.override(language):
                self._shared[key] = _render(delivery.kind, context)
        return self._shared[key]

    def personal_context(self, delivery: Delivery) -> dict:
        subscriber = delivery.subscriber
        if delivery.kind == Kind.CONFIRM:
            token = delivery.payload.get("token", "")
            return {
                "confirm_url": site_url(reverse("subscriptions:confirm", args=[token])),
                "expires_days": tokens.CONFIRM_MAX_AGE.days,
                "choices": describe_choices(_payload_or_empty(token)),
            }
        if delivery.kind == Kind.WELCOME:
            stories = subscriber.followed_stories()
            if subscriber.follows_all_news or not stories.exists():
                stories = Story.objects.published()
            latest = stories.order_by("-published_at")[:3]
            return {
                "stories": [(story, site_url(story.get_absolute_url())) for story in latest],
                "about_url": site_url(reverse("about")),
            }
        if delivery.kind == Kind.DIGEST:
            bundled = delivery.bundled.select_related("story", "event").order_by(
                "story__published_at", "event__starts_at"
            )
            stories = [row.story for row in bundled if row.story_id]
            events = [row.event for row in bundled if row.event_id]
            return {
                "period": delivery.period,
                "stories": [(story, site_url(story.get_absolute_url())) for story in stories],
                "events": [(event, site_url(event.get_absolute_url())) for event in events],
            }
        return {}


def _payload_or_empty(token: str) -> dict:
    try:
        return tokens.read_confirm_token(token)[0]
    except tokens.BadToken:
        return {}


def describe_choices(payload: dict) -> list[str]:
    """What a confirmation link will apply, as short lines for the email."""
    from fellows.models import Fellow
    from organizations.models import Organization, Topic

    if not payload:
        return []
    lines = []
    if payload.get("all_news"):
        lines.append(str(translation.gettext("All programme news")))
    kinds = dict(Story.Kind.choices)
    lines += [str(kinds[kind]) for kind in payload.get("kinds", []) if kind in kinds]
    lines += [topic.label for topic in Topic.objects.filter(pk__in=payload.get("topics", []))]
    lines += [
        str(org) for org in Organization.objects.filter(pk__in=payload.get("organizations", []))
    ]
    lines += [str(fellow) for fellow in Fellow.objects.filter(pk__in=payload.get("fellows", []))]
    if payload.get("events"):
        lines.append(str(translation.gettext("New events")))
    return lines


# ------------------------------------------------------------------------------
# The MIME form
# ------------------------------------------------------------------------------
# Written as they are, on one line however long (RFC 5322 allows 998 characters): the email
# package folds a header longer than 78 characters that has no space in it into RFC 2047
# encoded words, and a List-Unsubscribe written so is no link to a mail client.
VERBATIM_HEADERS = frozenset(
    {"message-id", "list-unsubscribe", "list-unsubscribe-post", "auto-submitted"}
)
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_MAX_LINE = 998


class OutboxMessage(EmailMultiAlternatives):
    """A text email with an HTML alternative whose MIME form is assembled directly.

    Django's `message()` goes through the email package's header registry and generator:
    several milliseconds a message, more than the SMTP exchange itself, and a story can go
    to 100,000 people. These emails always have the same shape (multipart/alternative: the
    text, then the HTML, both UTF-8 quoted-printable; plain ASCII addresses), so the subject
    and sender are folded once per batch, the bodies encoded by binascii and the rest written
    as is. A message of another shape (an internationalised address, an attachment) is built
    the Django way, with the headers above still kept verbatim.
    """

    def message(self, *, policy=email.policy.default):
        if self._has_plain_shape():
            return _assemble(self, policy)
        message = super().message(policy=policy.clone(refold_source="none"))
        for name, value in self.extra_headers.items():
            if name.lower() in VERBATIM_HEADERS and name in message:
                del message[name]
                message.set_raw(name, str(value))
        return message

    def _has_plain_shape(self) -> bool:
        if self.attachments or self.cc or self.reply_to or len(self.alternatives) != 1:
            return False
        html, mimetype = self.alternatives[0]
        if mimetype != "text/html" or not isinstance(html, str):
            return False
        if not isinstance(self.body, str) or (self.encoding or "utf-8").lower() != "utf-8":
            return False
        if any(
            "\n" in str(value) or "\r" in str(value) for value in (self.subject, self.from_email)
        ):
            return False  # Django refuses a header with a line break in it
        if not self.to or not all(_PLAIN_ADDRESS.fullmatch(str(to)) for to in self.to):
            return False
        return all(
            name.lower() in VERBATIM_HEADERS and _fits_one_line(name, str(value))
            for name, value in self.extra_headers.items()
        )


def _fits_one_line(name: str, value: str) -> bool:
    return value.isascii() and value.isprintable() and len(name) + 2 + len(value) <= _MAX_LINE


class WireMessage(email.message.EmailMessage):
    """A MIME tree whose headers and bodies are stored ready for the wire (ASCII, folded,
    quoted-printable), so it is written out without the email package's generator. Reading
    a header parses it as usual."""

    boundary = None

    def as_string(self, unixfrom=False, maxheaderlen=0, policy=None):
        linesep = (policy or self.policy).linesep
        text = "".join(_wire_lines(self))
        return text if linesep == "\n" else text.replace("\n", linesep)

    def as_bytes(self, unixfrom=False, policy=None):
        return self.as_string(policy=policy).encode()


def _wire_lines(part):
    for name, value in part.raw_items():
        if isinstance(value, str):
            yield f"{name}: {value}\n"
        else:  # a header object set later through part[name] = value
            yield value.fold(policy=_FOLDING)
    yield "\n"
    payload = part._payload  # as email.generator reads it: get_payload() parses headers
    if part.is_multipart():
        boundary = getattr(part, "boundary", None) or part.get_boundary()
        for number, child in enumerate(payload):
            yield f"--{boundary}\n" if number == 0 else f"\n--{boundary}\n"
            yield from _wire_lines(child)
        yield f"\n--{boundary}--\n"
    elif payload:
        yield payload


_FOLDING = email.policy.SMTP.clone(linesep="\n")


@functools.lru_cache(maxsize=256)
def _folded(name: str, value: str) -> str:
    """A header value folded and, if not ASCII, encoded (RFC 2047), without the name."""
    line = _FOLDING.header_factory(name, value).fold(policy=_FOLDING)
    return line[len(name) + 2 :].removesuffix("\n")


def _quoted_printable(text: str) -> str:
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode(), istext=True).decode()
    return encoded if encoded.endswith("\n") else encoded + "\n"


def _assemble(message: OutboxMessage, policy) -> WireMessage:
    # "=" starts every escape in quoted-printable, so "==" never occurs in the bodies.
    boundary = f"==============={secrets.token_hex(10)}=="
    tz = timezone.get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC
    extra = {name.lower(): (name, str(value)) for name, value in message.extra_headers.items()}
    root = WireMessage(policy=policy)
    root.boundary = boundary
    root.set_raw("MIME-Version", "1.0")
    root.set_raw("Content-Type", f'multipart/alternative; boundary="{boundary}"')
    root.set_raw("Subject", _folded("Subject", str(message.subject)))
    root.set_raw("From", _folded("From", str(message.from_email)))
    root.set_raw("To", ", ".join(str(to) for to in message.to))
    root.set_raw("Date", email.utils.format_datetime(datetime.now(tz)))
    if "message-id" not in extra:
        root.set_raw("Message-ID", email.utils.make_msgid(domain=DNS_NAME))
    for name, value in extra.values():
        root.set_raw(name, value)
    (html, _mimetype) = message.alternatives[0]
    for subtype, content in (("plain", message.body), ("html", html)):
        part = email.message.MIMEPart(policy=policy)
        part.set_raw("Content-Type", f'text/{subtype}; charset="utf-8"')
        part.set_raw("Content-Transfer-Encoding", "quoted-printable")
        part.set_payload(_quoted_printable(content))
        root.attach(part)
    return root
