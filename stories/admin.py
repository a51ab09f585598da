from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Keyword, Story


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Story)
class StoryAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "published_at", "round"]
    list_filter = ["status", "kind", "round", "topics", "keywords"]
    list_select_related = ["round"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["keywords", "topics", "fellows", "organizations", "round", "author"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "body"]}),
        (_("Publication"), {"fields": ["status", "published_at", "author"]}),
        (_("Media"), {"fields": ["cover", "cover_alt", "video_url", "report_file"]}),
        (
            _("What it is about"),
            {"fields": ["round", "topics", "keywords", "fellows", "organizations"]},
        ),
    ]
