"""The back office of following by email: subscribers, the outbox, newsletters, and what
staff see of the emails about each story and event.

The stories and events apps cannot import subscriptions (imports point down the chain), so
this module extends their admins, as fellows/admin.py extends the pairing admin: publishing
a story (or adding an upcoming event) in the admin announces it to its followers once its
topics, organisations and fellows are saved.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import PrefillMixin
from events.admin import EventAdmin
from events.models import Event
from stories.admin import StoryAdmin
from stories.models import Story

from . import services
from .models import (
    Consent,
    Delivery,
    KindFollow,
    Newsletter,
    StoryAnnouncement,
    Subscriber,
)
from .tasks import deliveries_send as deliveries_send_task

Status = Delivery.Status
# Actions offered both in the list (on the ticked rows) and on the object's own page.
BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


# ------------------------------------------------------------------------------
# Emails sent, pending and failed per story, event or newsletter
# ------------------------------------------------------------------------------
COUNTS = {
    "emails_sent": [Status.SENT],
    "emails_pending": list(Delivery.PENDING),
    "emails_failed": [Status.FAILED],
}


def with_email_counts(queryset, relation: str):
    """Annotate emails_sent/_pending/_failed: one correlated subquery each (on the
    deliveries' foreign-key index), so a changelist costs the same queries for 2 rows or
    100, and its row count query (which drops unused subqueries) stays cheap."""

    def count(statuses):
        rows = (
            Delivery.objects.filter(**{relation: OuterRef("pk")}, status__in=statuses)
            .order_by()
            .values(relation)
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return queryset.annotate(**{name: count(statuses) for name, statuses in COUNTS.items()})


def email_counts(obj, relation: str) -> dict:
    """The annotated counts, or one query when the object was not loaded annotated."""
    if all(hasattr(obj, name) for name in COUNTS):
        return {name.removeprefix("emails_"): getattr(obj, name) for name in COUNTS}
    return Delivery.objects.filter(**{relation: obj}).counts()


def deliveries_link(obj, relation: str, label):
    url = reverse("admin:subscriptions_delivery_changelist")
    return format_html('<a href="{}?{}__id__exact={}">{}</a>', url, relation, obj.pk, label)


def counts_text(counts: dict) -> str:
    return _("%(sent)s sent, %(pending)s pending, %(failed)s failed") % counts


def moment(value) -> str:
    return localize(timezone.localtime(value))


class EmailCountsMixin:
    """List column and change-page summary of the emails about one story/event/newsletter."""

    email_relation = ""  # "story", "event" or "newsletter"
    emails_after = ""  # the list column the emails column follows (default: the last)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if "emails" in columns:
            return columns
        at = columns.index(self.emails_after) + 1 if self.emails_after in columns else None
        columns.insert(len(columns) if at is None else at, "emails")
        return columns

    def get_queryset(self, request):
        return with_email_counts(super().get_queryset(request), self.email_relation)

    @admin.display(description=_("emails sent / pending / failed"), ordering="emails_sent")
    def emails(self, obj):
        counts = email_counts(obj, self.email_relation)
        if not any(counts[key] for key in ("sent", "pending", "failed")):
            return "—"
        return format_html(
            '<span title="{}">{} / {} / {}</span>',
            counts_text(counts),
            counts["sent"],
            counts["pending"],
            counts["failed"],
        )

    def emails_summary(self, obj, announced: str) -> str:
        counts = email_counts(obj, self.email_relation)
        return format_html(
            "{}<br>{} ({})",
            announced,
            counts_text(counts),
            deliveries_link(obj, self.email_relation, _("see each delivery")),
        )


class AnnouncedMixin(EmailCountsMixin):
    """Stories and events: a change-page section saying whether and when followers were told.

    Subclasses give `announced_text(recipients)`, an ngettext with %(count)d and %(moment)s.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Emails to followers"), {"fields": ["emails_to_followers"]})]

    @admin.display(description=_("announcement"))
    def emails_to_followers(self, obj):
        try:
            announcement = obj.announcement  # StoryAnnouncement / EventAnnouncement
        except ObjectDoesNotExist:
            return _("Not announced yet.")
        announced = self.announced_text(announcement.recipients) % {
            "count": announcement.recipients,
            "moment": moment(announcement.announced_at),
        }
        return self.emails_summary(obj, announced)


# ------------------------------------------------------------------------------
# Subscribers
# ------------------------------------------------------------------------------
class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("receiving", _("Receiving emails")),
            ("unconfirmed", _("Not confirmed")),
            ("unsubscribed", _("Unsubscribed")),
            ("suppressed", _("Suppressed (address bounced)")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "receiving":
                return queryset.confirmed()
            case "unconfirmed":
                return queryset.filter(confirmed_at__isnull=True)
            case "unsubscribed":
                return queryset.filter(unsubscribed_at__isnull=False)
            case "suppressed":
                return queryset.filter(suppressed_at__isnull=False)
        return queryset


class KindFollowInline(admin.TabularInline):
    model = KindFollow
    extra = 0
    fields = ["kind"]


class ConsentInline(admin.StackedInline):
    """Evidence of the double opt-in: shown, never edited."""

    model = Consent
    extra = 0
    fields = [
        ("given_at", "version", "language"),
        "source",
        "text",
        ("signup_ip_hash", "confirm_ip_hash", "user_agent_hash"),
    ]
    readonly_fields = [
        "given_at",
        "version",
        "language",
        "source",
        "text",
        "signup_ip_hash",
        "confirm_ip_hash",
        "user_agent_hash",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(
    description=_("Erase the selected subscribers and everything stored about them"),
    permissions=["delete"],
)
def delete_selected(modeladmin, request, queryset):
    """Django's delete confirmation, reworded: deleting a subscriber is erasing them (the
    confirmation page posts back to an action of this name)."""
    return django_delete_selected(modeladmin, request, queryset)


@admin.register(Subscriber)
class SubscriberAdmin(PrefillMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "language",
        "frequency",
        "follows_all_news",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
    ]
    list_filter = [StatusFilter, "language", "frequency", "follows_all_news", "follows_events"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["topics", "organizations", "fellows"]
    inlines = [KindFollowInline, ConsentInline]
    actions = ["suppress", delete_selected]
    # Subscribers sign themselves up (double opt-in); the address is theirs to change.
    readonly_fields = [
        "email",
        "key",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "suppression_reason",
        "preferences_changed_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["email", "language", "frequency"]}),
        (
            _("Follows"),
            {
                "fields": [
                    ("follows_all_news", "follows_events"),
                    "topics",
                    "organizations",
                    "fellows",
                ]
            },
        ),
        (
            _("Status"),
            {
                "fields": [
                    ("created_at", "confirmed_at", "preferences_changed_at"),
                    ("unsubscribed_at", "suppressed_at"),
                    "suppression_reason",
                    "key",
                    "updated_at",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description=_("Suppress (hard bounce): send nothing more"),
        permissions=["change"],
        location=BOTH,
    )
    def suppress(self, request, queryset):
        reason = _("Suppressed by %(user)s in the admin (hard bounce).") % {
            "user": request.user.get_username()
        }
        count = 0
        for subscriber in queryset.filter(suppressed_at__isnull=True):
            services.subscriber_suppress(subscriber=subscriber, reason=str(reason))
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d subscriber suppressed: nothing more is sent to them.",
                "%(count)d subscribers suppressed: nothing more is sent to them.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj):
        services.subscriber_erase(subscriber=obj)

    def delete_queryset(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_erase(subscriber=subscriber)


# ------------------------------------------------------------------------------
# The outbox
# ------------------------------------------------------------------------------
@admin.register(Delivery)
class DeliveryAdmin(PrefillMixin, admin.ModelAdmin):
    """Read-only: the outbox changes only through the services (and "Retry now")."""

    list_display = [
        "subscriber_email",
        "kind",
        "status",
        "about",
        "attempts",
        "retry_after",
        "sent_at",
        "error",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["subscriber", "story", "event", "newsletter"]
    search_fields = ["subscriber__email", "story__title", "event__title", "newsletter__subject"]
    # The outbox grows by one row per subscriber and story: skip the unfiltered COUNT(*).
    show_full_result_count = False
    actions = ["retry_now"]
    # The payload (a confirmation link's signed contents) and the worker's claim stay out.
    fields = [
        ("subscriber", "kind", "status"),
        ("story", "event", "newsletter"),
        ("digest", "period"),
        ("attempts", "retry_after"),
        ("claimed_at", "sent_at"),
        "last_error",
        ("created_at", "updated_at"),
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("subscriptions.change_delivery")

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Rows go with their subscriber, story, event or newsletter, never one by one.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("subscriber"), ordering="subscriber__email")
    def subscriber_email(self, obj):
        return obj.subscriber.email

    @admin.display(description=_("about"))
    def about(self, obj):
        if obj.subject_object is not None:
            return str(obj.subject_object)
        return localize(obj.period) if obj.period else "—"

    @admin.display(description=_("last error"))
    def error(self, obj):
        return Truncator(obj.last_error).chars(80)

    @admin.action(
        description=_("Retry now (failed or waiting to retry)"),
        permissions=["retry"],
        location=BOTH,
    )
    def retry_now(self, request, queryset):
        # TODO(services): this belongs in a `deliveries_retry(*, deliveries)` service.
        now = timezone.now()
        with transaction.atomic():
            retried = queryset.filter(status__in=[Status.FAILED, Status.RETRYING])
            ids = list(retried.order_by("pk").values_list("pk", flat=True))
            Delivery.objects.filter(
                pk__in=ids, status__in=[Status.FAILED, Status.RETRYING]
            ).update(status=Status.QUEUED, attempts=0, retry_after=None, claim="", updated_at=now)
            size = settings.TWINNING_DELIVERY_BATCH_SIZE
            for start in range(0, len(ids), size):
                services.enqueue_on_commit(deliveries_send_task, ids[start : start + size])
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS if ids else messages.WARNING,
        )


# ------------------------------------------------------------------------------
# Newsletters
# ------------------------------------------------------------------------------
NEWSLETTER_CONTENT = ["subject", "slug", "summary", "body"]


@admin.register(Newsletter)
class NewsletterAdmin(PrefillMixin, EmailCountsMixin, admin.ModelAdmin):
    email_relation = "newsletter"
    list_display = ["subject", "sent_at", "emails"]
    search_fields = ["subject", "summary"]
    prepopulated_fields = {"slug": ["subject"]}
    actions = ["send"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return NEWSLETTER_CONTENT
        return [*NEWSLETTER_CONTENT, "sent_at", "emails_to_subscribers"]

    def get_readonly_fields(self, request, obj=None):
        # What was sent is what the archive shows: a sent newsletter is not edited.
        if obj is not None and obj.is_sent:
            return [*NEWSLETTER_CONTENT, "sent_at", "emails_to_subscribers"]
        return ["sent_at", "emails_to_subscribers"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.is_sent else self.prepopulated_fields

    @admin.display(description=_("emails"))
    def emails_to_subscribers(self, obj):
        if not obj.is_sent:
            return _("Not sent yet: choose “Send to news subscribers” in the Action menu above.")
        return self.emails_summary(obj, _("Sent on %(moment)s.") % {"moment": moment(obj.sent_at)})

    @admin.action(description=_("Send to news subscribers"), permissions=["change"], location=BOTH)
    def send(self, request, queryset):
        for newsletter in queryset:
            recorded = services.newsletter_send(newsletter=newsletter)
            if recorded:
                message = ngettext(
                    "“%(subject)s”: sent to %(count)d subscriber.",
                    "“%(subject)s”: sent to %(count)d subscribers.",
                    recorded,
                )
            else:
                message = _("“%(subject)s”: nobody new to send it to.")
            self.message_user(
                request,
                message % {"subject": newsletter.subject, "count": recorded},
                messages.SUCCESS if recorded else messages.WARNING,
            )


# ------------------------------------------------------------------------------
# Stories: publishing in the admin tells the followers
# ------------------------------------------------------------------------------
admin.site.unregister(Story)


@admin.register(Story)
class StoryWithEmailsAdmin(AnnouncedMixin, StoryAdmin):
    email_relation = "story"
    emails_after = "published_at"
    readonly_fields = [*StoryAdmin.readonly_fields, "emails_to_followers"]

    @staticmethod
    def announced_text(recipients):
        return ngettext(
            "Announced to %(count)d subscriber on %(moment)s.",
            "Announced to %(count)d subscribers on %(moment)s.",
            recipients,
        )

    def save_related(self, request, form, formsets, change):
        # Who follows a story depends on its topics, organisations and fellows: announce
        # only once they are saved. Sending starts when the admin's transaction commits.
        super().save_related(request, form, formsets, change)
        self.announce(request, form.instance, decided=not change or _publication_changed(form))

    def after_publish(self, request, stories):
        # Approved by an action ("Approve and publish now"): tell the followers at once.
        for story in stories:
            self.announce(request, story, decided=True)

    def announce(self, request, story, *, decided):
        """Tell the followers of a story that is now public; explain when that waits."""
        if StoryAnnouncement.objects.filter(story=story).exists():
            return
        now = timezone.now()
        if story.is_published and story.published_at >= now - services.ANNOUNCE_WINDOW:
            recorded = services.story_announce(story=story)
            message = ngettext(
                "%(count)d subscriber will be told about this story.",
                "%(count)d subscribers will be told about this story.",
                recorded,
            )
            self.message_user(request, message % {"count": recorded}, messages.SUCCESS)
        elif not decided:
            return
        elif story.is_published:
            self.message_user(
                request,
                _(
                    "No email to followers: stories published more than %(days)d days ago "
                    "are not announced."
                )
                % {"days": services.ANNOUNCE_WINDOW.days},
                messages.WARNING,
            )
        elif story.status in (Story.Status.SCHEDULED, Story.Status.PUBLISHED):
            self.message_user(
                request,
                _("Followers will be told when it is published, on %(moment)s.")
                % {"moment": moment(story.published_at)},
                messages.INFO,
            )


def _publication_changed(form) -> bool:
    return bool({"status", "published_at"} & set(form.changed_data))


# ------------------------------------------------------------------------------
# Events: a new upcoming event is announced to event followers
# ------------------------------------------------------------------------------
admin.site.unregister(Event)


@admin.register(Event)
class EventWithEmailsAdmin(AnnouncedMixin, EventAdmin):
    email_relation = "event"
    emails_after = "starts_at"
    readonly_fields = [*EventAdmin.readonly_fields, "emails_to_followers"]
    actions = [*(EventAdmin.actions or []), "announce"]

    @staticmethod
    def announced_text(recipients):
        return ngettext(
            "Announced to %(count)d event follower on %(moment)s.",
            "Announced to %(count)d event followers on %(moment)s.",
            recipients,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and form.instance.is_upcoming:
            recorded = services.event_announce(event=form.instance)
            self.message_user(request, self._told(recorded), messages.SUCCESS)

    @admin.action(
        description=_("Announce to event followers"), permissions=["change"], location=BOTH
    )
    def announce(self, request, queryset):
        announced, recorded = 0, 0
        for event in queryset.filter(announcement__isnull=True):
            if event.is_upcoming:
                recorded += services.event_announce(event=event)
                announced += 1
        skipped = queryset.count() - announced
        if announced:
            self.message_user(request, self._told(recorded), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d event skipped: announced before, or already over.",
                    "%(count)d events skipped: announced before, or already over.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @staticmethod
    def _told(recorded):
        return ngettext(
            "%(count)d event follower will be told.",
            "%(count)d event followers will be told.",
            recorded,
        ) % {"count": recorded}
