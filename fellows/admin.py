from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.forms import CleanImageField
from organizations.admin import PairingAdmin
from organizations.models import Pairing

from .models import Fellow


@admin.register(Fellow)
class FellowAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "direction", "round_year", "role"]
    list_filter = ["direction", "pairing__round", "organization__region", "pairing__topic"]
    list_select_related = ["organization", "pairing__round"]
    search_fields = ["name", "name_zh", "role", "organization__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organization", "pairing", "user"]
    # The photo is checked by content and re-encoded without EXIF (no location leaks).
    formfield_overrides = {models.ImageField: {"form_class": CleanImageField}}

    @admin.display(description=_("round"), ordering="pairing__round__year")
    def round_year(self, obj):
        return obj.pairing.round.year if obj.pairing_id else "—"


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
