from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from common.admin import PrefillMixin
from common.forms import CleanImageField

from .models import ExchangeRound, Organization, Pairing, Topic


@admin.register(Topic)
class TopicAdmin(PrefillMixin, admin.ModelAdmin):
    list_display = ["name", "name_zh", "slug", "updated_at"]
    search_fields = ["name", "name_zh"]
    prepopulated_fields = {"slug": ["name"]}


class PairingInline(admin.TabularInline):
    model = Pairing
    extra = 0
    fields = ["european_organization", "chinese_organization", "topic"]
    autocomplete_fields = ["european_organization", "chinese_organization", "topic"]
    show_change_link = True


@admin.register(ExchangeRound)
class ExchangeRoundAdmin(PrefillMixin, admin.ModelAdmin):
    list_display = ["year", "theme", "status", "pairing_count", "exchange_start", "exchange_end"]
    list_filter = ["status"]
    search_fields = ["theme", "=year"]
    inlines = [PairingInline]
    fieldsets = [
        (None, {"fields": ["year", "theme", "status", "summary"]}),
        (
            _("Dates"),
            {
                "fields": [
                    ("applications_open", "applications_close"),
                    ("exchange_start", "exchange_end"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pairing_total=Count("pairings"))

    @admin.display(description=_("pairings"), ordering="pairing_total")
    def pairing_count(self, obj):
        return obj.pairing_total


@admin.register(Organization)
class OrganizationAdmin(PrefillMixin, admin.ModelAdmin):
    list_display = ["name", "name_zh", "region", "country", "province", "city"]
    list_filter = ["region", "country", "topics"]
    search_fields = ["name", "name_zh", "city", "province"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    # The logo is checked by content and re-encoded before it is stored.
    formfield_overrides = {models.ImageField: {"form_class": CleanImageField}}
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "slug", "logo", "description"]}),
        (_("Where"), {"fields": ["region", "country", "province", "city"]}),
        (_("More"), {"fields": ["website", "founded", "topics"]}),
    ]


@admin.register(Pairing)
class PairingAdmin(PrefillMixin, admin.ModelAdmin):
    list_display = ["__str__", "round", "topic"]
    list_filter = ["round", "topic"]
    list_select_related = ["round", "topic", "european_organization", "chinese_organization"]
    search_fields = ["european_organization__name", "chinese_organization__name", "topic__name"]
    autocomplete_fields = ["round", "european_organization", "chinese_organization", "topic"]
    # Fellows of a pairing are edited inline by the fellows app (see fellows/admin.py).
