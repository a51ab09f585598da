from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from common.admin import PrefillMixin
from common.forms import CleanImageField, PdfField, VideoURLField
from fellows.admin import warn_of_consent

from . import services
from .models import Keyword, Story

# Actions offered both in the list (on the ticked rows) and on the story's own page.
BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


@admin.register(Keyword)
class KeywordAdmin(PrefillMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the author"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_("What to change before it can be published. The author sees it."),
    )


@admin.register(Story)
class StoryAdmin(PrefillMixin, SimpleHistoryAdmin):
    """Stories in the back office. Editors (stories.publish_story) approve what authors
    submit: "Approve and publish now", "Approve and schedule at its publication time", or
    "Send back with a comment"; the status and time fields are theirs alone.

    Telling subscribers is not this app's job: subscriptions/admin.py subclasses this admin,
    announces on save, and overrides `after_publish` for stories published by an action.
    """

    list_display = ["title", "kind", "status", "author", "published_at", "round"]
    list_filter = ["status", "kind", "round", "topics", "keywords"]
    list_select_related = ["round", "author"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["keywords", "topics", "fellows", "organizations", "round", "author"]
    readonly_fields = ["submitted_at", "reviewed_at", "reviewed_by", "review_comment"]
    # Media: the cover and the report are checked by content before they are stored, and the
    # video link must point at an allow-listed provider (common/forms.py).
    formfield_overrides = {
        models.ImageField: {"form_class": CleanImageField},
        models.FileField: {"form_class": PdfField},
        models.URLField: {"form_class": VideoURLField},
    }
    actions = ["approve_and_publish", "approve_and_schedule", "send_back"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "body"]}),
        (_("Publication"), {"fields": ["status", "published_at", "author"]}),
        (
            _("Review"),
            {"fields": [("submitted_at", "reviewed_at", "reviewed_by"), "review_comment"]},
        ),
        (_("Media"), {"fields": ["cover", "cover_alt", "video_url", "report_file"]}),
        (
            _("What it is about"),
            {"fields": ["round", "topics", "keywords", "fellows", "organizations"]},
        ),
    ]

    def view_on_site(self, obj):
        # Reviewing a submission: "View on site" shows it exactly as the public will.
        return obj.get_absolute_url() if obj.is_published else obj.get_preview_url()

    def has_publish_permission(self, request):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # Only editors publish: others may write, not change the status or the time.
            fields += ["status", "published_at"]
        return fields

    def after_publish(self, request, stories):
        """Called with the stories an action has just made public. Does nothing here;
        subscriptions/admin.py overrides it to announce them to their followers."""

    # --------------------------------------------------------------------------
    # Review actions: each story through the services, one transaction each
    # --------------------------------------------------------------------------
    @admin.action(description=_("Approve and publish now"), permissions=["publish"], location=BOTH)
    def approve_and_publish(self, request, queryset):
        published = []
        for story in queryset.order_by("pk"):
            try:
                services.story_approve(story=story, by=request.user)
            except ValidationError as error:
                self._skipped(request, story, error)
                continue
            published.append(story)
            warn_of_consent(request, story)
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d story approved and published.",
                    "%(count)d stories approved and published.",
                    len(published),
                )
                % {"count": len(published)},
                messages.SUCCESS,
            )
            self.after_publish(request, published)

    @admin.action(
        description=_("Approve and schedule at its publication time"),
        permissions=["publish"],
        location=BOTH,
    )
    def approve_and_schedule(self, request, queryset):
        now = timezone.now()
        for story in queryset.order_by("pk"):
            if story.published_at is None or story.published_at <= now:
                self.message_user(
                    request,
                    _(
                        "“%(title)s” was not scheduled: set a publication time in the future "
                        "on its page, save, then approve it."
                    )
                    % {"title": story.title},
                    messages.WARNING,
                )
                continue
            try:
                services.story_approve(story=story, by=request.user, at=story.published_at)
            except ValidationError as error:
                self._skipped(request, story, error)
                continue
            self.message_user(
                request,
                _("“%(title)s” is approved and will be published on %(moment)s.")
                % {
                    "title": story.title,
                    "moment": localize(timezone.localtime(story.published_at)),
                },
                messages.SUCCESS,
            )
            warn_of_consent(request, story)

    @admin.action(
        description=_("Send back to the author with a comment"),
        permissions=["publish"],
        location=BOTH,
    )
    def send_back(self, request, queryset):
        """First an intermediate page asks for the comment; it posts back to this action."""
        form = SendBackForm(request.POST if "send_back_comment" in request.POST else None)
        if form.is_bound and form.is_valid():
            sent = 0
            for story in queryset.order_by("pk"):
                try:
                    services.story_send_back(
                        story=story, by=request.user, comment=form.cleaned_data["comment"]
                    )
                except ValidationError as error:
                    self._skipped(request, story, error)
                    continue
                sent += 1
            if sent:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d story sent back to its author with your comment.",
                        "%(count)d stories sent back to their authors with your comment.",
                        sent,
                    )
                    % {"count": sent},
                    messages.SUCCESS,
                )
            if request.POST.get("from_change_form") and queryset.count() == 1:
                story = queryset.get()
                return HttpResponseRedirect(reverse("admin:stories_story_change", args=[story.pk]))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send back with a comment"),
            "opts": self.opts,
            "stories": queryset.order_by("pk"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "from_change_form": bool(
                request.POST.get("from_change_form")
                or f"{admin.ActionLocation.CHANGE_FORM.value}-action" in request.POST
            ),
        }
        return TemplateResponse(request, "admin/stories/story/send_back.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        story = self.get_object(request, object_id)
        if story is not None and request.method == "GET":
            warn_of_consent(request, story)
        return super().change_view(request, object_id, form_url, extra_context)

    def _skipped(self, request, story, error):
        self.message_user(
            request,
            _("“%(title)s” was skipped: %(reason)s")
            % {"title": story.title, "reason": " ".join(error.messages)},
            messages.WARNING,
        )
