from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.admin import PrefillMixin
from common.forms import CleanImageField
from organizations.admin import PairingAdmin
from organizations.models import Pairing

from . import services
from .models import Fellow, Invitation, ProfileReminder
from .visibility import VISIBILITY_FIELDS


class StaleFilter(admin.SimpleListFilter):
    title = _("profile confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [
            ("stale", _("Stale (never, or over a year ago)")),
            ("recent", _("Within the last year")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "recent":
            return queryset.exclude(pk__in=queryset.stale().values("pk"))
        return queryset


class ConsentFilter(admin.SimpleListFilter):
    title = _("publication consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        return [("none", _("None recorded")), ("recorded", _("Recorded"))]

    def queryset(self, request, queryset):
        if self.value() in ("none", "recorded"):
            return queryset.filter(consent_recorded_at__isnull=self.value() == "none")
        return queryset


class SentEmailInline(admin.TabularInline):
    """What was emailed to the fellow about the profile: read-only, written by the services."""

    extra = 0
    fields = ["email", "created_by", "created_at", "sent_at", "last_error"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InvitationInline(SentEmailInline):
    model = Invitation
    fields = [*SentEmailInline.fields, "accepted_at"]
    readonly_fields = fields


class ProfileReminderInline(SentEmailInline):
    model = ProfileReminder


def warn_of_consent(request, item) -> None:
    """Warn staff that a story or event spells out what a fellow hides: consent cannot hide
    free text, so a person has to look before it is published. `item` has a title and the
    two `…_named_against_their_wish` methods."""
    named = item.fellows_named_against_their_wish()
    if named:
        messages.warning(
            request,
            _(
                "“%(title)s” names %(names)s, who do not show their full name to "
                "everyone. Check with them before it is published, or write initials."
            )
            % {
                "title": item.title,
                "names": ", ".join(
                    f"{fellow.name} ({fellow.get_name_visibility_display()})" for fellow in named
                ),
            },
        )
    placed = item.organizations_named_against_their_wish()
    if placed:
        messages.warning(
            request,
            _(
                "“%(title)s” names the organization of %(names)s, who do not show it to "
                "everyone. Check with them before it is published, or leave it out."
            )
            % {
                "title": item.title,
                "names": ", ".join(
                    f"{fellow.name} ({fellow.organization.name}: "
                    f"{fellow.get_organization_visibility_display()})"
                    for fellow in placed
                ),
            },
        )


@admin.register(Fellow)
class FellowAdmin(PrefillMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "organization",
        "direction",
        "round_year",
        "public_name",
        "confirmed",
    ]
    list_filter = [
        StaleFilter,
        ConsentFilter,
        "name_visibility",
        "direction",
        "pairing__round",
        "organization__region",
        "pairing__topic",
    ]
    list_select_related = ["organization", "pairing__round"]
    search_fields = ["name", "name_zh", "role", "organization__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organization", "pairing", "user"]
    readonly_fields = [
        "consent_recorded_at",
        "consent_recorded_by",
        "confirmed_at",
        "invite_link",
    ]
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "slug", "organization", "pairing", "direction"]}),
        (
            _("Profile"),
            {"fields": ["role", "photo", "biography", "testimonial", "contact_email", "links"]},
        ),
        (
            _("Who sees what (publication consent)"),
            {
                "description": _(
                    "Record what the fellow chose. Saving a change records you as the person "
                    "who recorded their consent. Until a choice is recorded, visitors see "
                    "initials and no photo."
                ),
                "fields": [*VISIBILITY_FIELDS, "consent_recorded_at", "consent_recorded_by"],
            },
        ),
        (_("Account"), {"fields": ["user", "confirmed_at", "invite_link"]}),
    ]
    inlines = [InvitationInline, ProfileReminderInline]
    actions = ["remind_to_confirm"]
    # The photo is checked by content and re-encoded without EXIF (no location leaks).
    formfield_overrides = {models.ImageField: {"form_class": CleanImageField}}

    @admin.display(description=_("round"), ordering="pairing__round__year")
    def round_year(self, obj):
        return obj.pairing.round.year if obj.pairing_id else "—"

    @admin.display(description=_("full name seen by"), ordering="name_visibility")
    def public_name(self, obj):
        return obj.get_name_visibility_display()

    @admin.display(description=_("confirmed by the fellow"), ordering="confirmed_at")
    def confirmed(self, obj):
        if obj.confirmed_at is None:
            return format_html('<span class="profile-stale">{}</span>', _("never"))
        date = timezone.localdate(obj.confirmed_at)
        if obj.is_stale:
            return format_html('<span class="profile-stale">{} ({})</span>', date, _("stale"))
        return date

    @admin.display(description=_("invitation"))
    def invite_link(self, obj):
        if obj.pk is None:
            return "—"
        if obj.user_id:
            return _("The fellow has an account.")
        url = reverse("admin:fellows_invitation_add") + f"?fellow={obj.pk}"
        return format_html('<a class="button" href="{}">{}</a>', url, _("Invite to keep it"))

    @admin.action(
        description=_("Ask by email to confirm their profile (fellows with an account)"),
        permissions=["change"],
    )
    def remind_to_confirm(self, request, queryset):
        reminders = services.reminders_create(fellows=queryset, by=request.user)
        skipped = queryset.count() - len(reminders)
        self.message_user(
            request,
            _(
                "%(sent)d reminders are on their way. %(skipped)d fellows were left out: "
                "no account yet (invite them instead), or asked in the last 7 days."
            )
            % {"sent": len(reminders), "skipped": skipped},
            messages.SUCCESS if reminders else messages.WARNING,
        )

    def save_model(self, request, obj, form, change):
        services.fellow_profile_save(
            fellow=obj,
            by=request.user,
            record_consent=any(name in form.changed_data for name in VISIBILITY_FIELDS),
        )

    def delete_model(self, request, obj):
        services.fellow_delete(fellow=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for fellow in queryset:
            services.fellow_delete(fellow=fellow, by=request.user)


@admin.register(Invitation)
class InvitationAdmin(PrefillMixin, admin.ModelAdmin):
    """Staff invite a fellow from here: saving sends the email (after commit, retried)."""

    list_display = ["email", "fellow", "created_by", "created_at", "sent_at", "accepted_at"]
    list_select_related = ["fellow", "created_by"]
    list_filter = ["sent_at", "accepted_at"]
    search_fields = ["email", "fellow__name"]
    autocomplete_fields = ["fellow"]
    fields = ["fellow", "email", "language"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [
                *self.fields,
                "created_by",
                "created_at",
                "sent_at",
                "accepted_at",
                "last_error",
            ]
        return []

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.get_readonly_fields(request, obj)
        return self.fields

    def get_changeform_initial_data(self, request):
        # "Invite to keep it" on a fellow's page names the fellow: suggest their language
        # and their contact address.
        initial = super().get_changeform_initial_data(request)
        fellow = Fellow.objects.filter(pk=initial.get("fellow")).first()
        if fellow is not None:
            initial.setdefault("language", fellow.likely_language)
            if fellow.contact_email:
                initial.setdefault("email", fellow.contact_email)
        return initial

    def save_model(self, request, obj, form, change):
        # The form has run Invitation.clean (a profile with an account is refused there).
        invitation = services.invitation_create(
            fellow=obj.fellow, email=obj.email, language=obj.language, by=request.user
        )
        obj.pk = invitation.pk
        messages.info(request, _("The invitation email is on its way to %s.") % obj.email)


class FellowInline(admin.TabularInline):
    model = Fellow
    extra = 0
    fields = ["name", "slug", "organization", "direction", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organization"]
    show_change_link = True


# Fellows are edited inside their pairing. The organizations app cannot import fellows,
# so the fellows app extends the pairing admin it builds on.
admin.site.unregister(Pairing)


@admin.register(Pairing)
class PairingWithFellowsAdmin(PairingAdmin):
    inlines = [FellowInline]
