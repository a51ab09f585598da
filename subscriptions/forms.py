"""What a subscriber follows, how often and in which language: the /subscribe/ form and the
preference page share one form; /subscribe/ adds the address."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.i18n import supported_language
from fellows.models import Fellow
from organizations.models import Organization, Topic
from stories.models import Story

from .models import Subscriber

MAX_ID = 2**63 - 1


def _is_id(value) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


def _ids(values) -> list[int]:
    """The well-formed ids among `values` (objects, ints or strings); the rest is left to
    the field's validation."""
    values = [getattr(value, "pk", value) for value in values or []]
    return [int(value) for value in values if _is_id(value)]


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Rejects what is not an id before asking the database (an integer too large for the
    column would otherwise make the query fail)."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            for pk in value:
                if not _is_id(pk):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


class TopicChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class OfferedChoiceField(IdsChoiceField):
    """Validates against the whole table, but shows a checkbox only for the few offered:
    the page stays small with thousands of organisations."""

    widget = forms.CheckboxSelectMultiple

    def offer(self, objects):
        self.widget.choices = [(obj.pk, self.label_from_instance(obj)) for obj in objects]


class FellowChoiceField(OfferedChoiceField):
    def label_from_instance(self, obj):
        # As the reader may see the fellow: initials, and no organisation, when hidden.
        organization = obj.shown_organization
        return f"{obj.display_name} ({organization.name})" if organization else obj.display_name


class PreferencesForm(forms.Form):
    """Follows, frequency and language, in the shape of services.preferences_of()."""

    all_news = forms.BooleanField(
        label=_("All programme news"),
        help_text=_("Every story we publish, and our occasional newsletter."),
        required=False,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of stories"),
        choices=Story.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    topics = TopicChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    organizations = OfferedChoiceField(
        label=_("Organizations"),
        queryset=Organization.objects.all(),
        required=False,
    )
    fellows = FellowChoiceField(
        label=_("Fellows"),
        queryset=Fellow.objects.select_related("organization"),
        required=False,
    )
    events = forms.BooleanField(
        label=_("New events"),
        help_text=_("Workshops, webinars and forums, when they are announced."),
        required=False,
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscriber.Frequency.choices,
        widget=forms.RadioSelect,
        initial=Subscriber.Frequency.IMMEDIATE,
    )
    language = forms.ChoiceField(
        label=_("Language of the emails"),
        choices=Subscriber.Language.choices,
        widget=forms.RadioSelect,
    )

    nothing_chosen_message = _("Choose at least one thing to follow.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = supported_language()
        for name in ("organizations", "fellows"):
            field = self.fields[name]
            wanted = _ids(self.get_initial_for_field(field, name))
            if self.is_bound:
                wanted += _ids(self.data.getlist(self.add_prefix(name)))
            offered = field.queryset.filter(pk__in=wanted) if wanted else []
            field.offer(offered)

    @property
    def offers_organizations(self):
        return bool(self.fields["organizations"].widget.choices)

    @property
    def offers_fellows(self):
        return bool(self.fields["fellows"].widget.choices)

    def clean(self):
        data = super().clean()
        follows = ("all_news", "events", "kinds", "topics", "organizations", "fellows")
        if not self.errors and not any(data.get(name) for name in follows):
            raise forms.ValidationError(self.nothing_chosen_message, code="nothing")
        return data

    def preferences(self) -> dict:
        """The cleaned choices in the shape services.preferences_of() returns."""
        data = self.cleaned_data
        return {
            "all_news": data["all_news"],
            "events": data["events"],
            "kinds": list(data["kinds"]),
            "topics": [topic.pk for topic in data["topics"]],
            "organizations": [organization.pk for organization in data["organizations"]],
            "fellows": [fellow.pk for fellow in data["fellows"]],
            "frequency": data["frequency"],
            "language": data["language"],
        }


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email"]


class ManageForm(PreferencesForm):
    nothing_chosen_message = _(
        "Choose at least one thing to follow. To stop all emails, unsubscribe below."
    )


class RequestLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
