from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.admin import PrefillMixin
from common.forms import CleanImageField
from fellows.admin import warn_of_consent

from .models import Event, Speaker


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1
    fields = ["position", "name", "affiliation", "gender", "fellow"]
    autocomplete_fields = ["fellow"]


@admin.register(Event)
class EventAdmin(PrefillMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "time_zone", "city", "capacity"]
    list_filter = ["kind", "round", "topics"]
    search_fields = ["title", "summary", "venue", "city"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "organizations", "round"]
    inlines = [SpeakerInline]
    # The cover is checked by content and re-encoded before it is stored.
    formfield_overrides = {models.ImageField: {"form_class": CleanImageField}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "description", "cover"]}),
        (_("When"), {"fields": [("starts_at", "ends_at"), "time_zone"]}),
        (_("Where"), {"fields": ["venue", "city", "online_url", "capacity"]}),
        (_("Afterwards"), {"fields": ["recording_url"]}),
        (_("What it is about"), {"fields": ["round", "topics", "organizations"]}),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self.get_object(request, object_id)
        if event is not None and request.method == "GET":
            warn_of_consent(request, event)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The speakers are saved by now, so their names are checked too.
        warn_of_consent(request, form.instance)
