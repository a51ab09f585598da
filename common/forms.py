"""Form fields for what people upload or link: images, PDF reports, video links.

Every form that takes one of these (the admin through `formfield_overrides`, the site's own
forms through `Meta.field_classes`) uses these fields, so a file is judged by its content
before anything reaches the storage: a rejected upload is a message on the form and leaves no
file behind.
"""

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from common.uploads import clean_image, clean_pdf
from common.video import PROVIDER_NAMES, validate_video_url


class CleanImageField(forms.ImageField):
    """A JPEG, PNG or WebP image, checked by content and bounded, re-encoded without metadata.

    Django's ImageField would let Pillow open any format it knows and warn (not refuse) on a
    decompression bomb; this field never does either: common.uploads.clean_image decides, and
    the cleaned value is the re-encoded copy, named after its real format.
    """

    default_error_messages = {
        "invalid_image": _("Upload a JPEG, PNG or WebP image."),
    }
    accept = "image/jpeg,image/png,image/webp"

    def to_python(self, data):
        uploaded = forms.FileField.to_python(self, data)  # required, empty, name length
        if uploaded is None:
            return None
        return clean_image(uploaded)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput):
            attrs["accept"] = self.accept
        return attrs


class PdfField(forms.FileField):
    """A PDF report, checked by content and bounded; stored under a .pdf name whatever it was
    called, so that no upload can be served as HTML or a script."""

    accept = "application/pdf"

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        uploaded = clean_pdf(uploaded)
        uploaded.name = f"{PurePath(uploaded.name or 'report').stem[:80] or 'report'}.pdf"
        return uploaded

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput):
            attrs["accept"] = self.accept
        return attrs


class VideoURLField(forms.URLField):
    """A link to one video on YouTube, Vimeo, Bilibili or Youku (see common.video)."""

    default_validators = [validate_video_url]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not self.help_text:
            self.help_text = _(
                "A link to the video on %(providers)s. It is shown as a player that loads "
                "only when a visitor clicks it."
            ) % {"providers": PROVIDER_NAMES}

    def to_python(self, value):
        # The typed link exactly as typed: URLField would otherwise add a scheme to a bare
        # host, and the validator is the one to judge what the link is.
        return (value or "").strip()
