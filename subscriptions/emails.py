"""Rendering outbox rows into email messages.

Templates: `templates/emails/subscriptions/<kind>_subject.txt`, `<kind>.txt`, `<kind>.html`.
A story, event or newsletter reads the same for every subscriber of one language, so it is
rendered once per batch and language, with placeholders for the per-subscriber links (which
keeps a batch of thousands of messages from re-rendering the same templates).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
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

    def build(self, delivery: Delivery) -> EmailMultiAlternatives:
        subscriber = delivery.subscriber
        language = self.language_of(delivery)
        manage, unsubscribe = manage_url(subscriber), unsubscribe_url(subscriber)
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
        message = EmailMultiAlternatives(
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
