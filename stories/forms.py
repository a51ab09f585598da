"""The form authors write a story with on the site (fellows and staff)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import CleanImageField
from organizations.models import Topic

from .models import Story

WRITABLE_KINDS = [
    (Story.Kind.NEWS.value, Story.Kind.NEWS.label),
    (Story.Kind.FELLOW_STORY.value, Story.Kind.FELLOW_STORY.label),
]


class StoryForm(forms.ModelForm):
    """Title, kind, summary, Markdown body, cover and topics. Status, time and address are
    the workflow's (stories.services), never the form's."""

    kind = forms.ChoiceField(label=_("Kind"), choices=WRITABLE_KINDS, widget=forms.RadioSelect)
    # Judged by common.uploads.clean_image (the shared field of common/forms.py): its real
    # format, byte size and pixel count, then re-encoded without EXIF. A refused file is a
    # message on the form, and nothing reaches the storage.
    cover = CleanImageField(
        label=_("Cover image"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, at most 10 MB; a wide landscape picture works best. "
            "Location and camera data are removed."
        ),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Readers who follow these topics are told when the story is published."),
    )

    class Meta:
        model = Story
        fields = ["title", "kind", "summary", "body", "cover", "cover_alt", "topics"]
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "body": _("Story"),
            "cover_alt": _("Cover description"),
        }
        help_texts = {
            "summary": _("One or two sentences, shown on cards and in emails."),
            "body": _(
                "Written in Markdown: a blank line starts a new paragraph; ## Heading; "
                "*italic*, **bold**; - a list item; [link text](https://example.org). "
                "Scripts and embedded code are removed."
            ),
            "cover_alt": _(
                "What the picture shows, for readers who cannot see it. Leave empty if it is "
                "only decoration."
            ),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 18}),
        }

    def __init__(self, *args, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        if self.instance.pk is None:
            self.initial.setdefault("kind", Story.Kind.FELLOW_STORY)

    def clean(self):
        cleaned_data = super().clean()
        if self.submitting:
            # A draft may be half-written; what goes to the editors is complete.
            for name in ("summary", "body"):
                if name not in self.errors and not (cleaned_data.get(name) or "").strip():
                    self.add_error(name, _("Write this before you submit the story."))
        return cleaned_data
