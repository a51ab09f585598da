"""The form a fellow keeps their own profile with, and the accounts invitations create."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from common.forms import CleanImageField

from .models import Fellow, spells
from .visibility import VISIBILITY_FIELDS, Audience


class FellowProfileForm(forms.ModelForm):
    """What the fellow writes, and who may see each identifying part of it. The name, the
    organisation and the pairing are the programme's records: staff change them."""

    photo = CleanImageField(
        label=_("Photo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, at most 10 MB; a square portrait works best. "
            "Location and camera data are removed."
        ),
        widget=forms.FileInput,
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = Fellow
        fields = [
            "role",
            "biography",
            "testimonial",
            "photo",
            "contact_email",
            "links",
            *VISIBILITY_FIELDS,
        ]
        labels = {
            "role": _("Your role"),
            "biography": _("Biography"),
            "testimonial": _("Your quote about the exchange"),
            "contact_email": _("Contact email"),
            "links": _("Links"),
            "name_visibility": _("Your full name"),
            "photo_visibility": _("Your photo"),
            "organization_visibility": _("Your organization and pairing"),
            "links_visibility": _("Your contact email and links"),
        }
        help_texts = {
            "role": _("Your job at your organization, e.g. Programme officer."),
            "biography": _("A few sentences about you and your work. Plain text."),
            "testimonial": _("One or two sentences, shown with your name or initials."),
            "name_visibility": _("Anyone who may not see it sees your initials."),
            "organization_visibility": _(
                "Your pairing and your host organization would reveal it, so they are shown "
                "to the same people."
            ),
        }
        widgets = {
            "biography": forms.Textarea(attrs={"rows": 8}),
            "testimonial": forms.Textarea(attrs={"rows": 3}),
            "links": forms.Textarea(attrs={"rows": 3, "placeholder": "https://"}),
            **dict.fromkeys(VISIBILITY_FIELDS, forms.RadioSelect),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in VISIBILITY_FIELDS:
            # A radio group has no empty choice: every field gets an explicit answer.
            self.fields[name].choices = Audience.choices

    # The texts everyone sees, whatever the choices below.
    PUBLIC_TEXTS = ("role", "biography", "testimonial")

    def clean(self):
        cleaned_data = super().clean()
        self._check_public_texts(cleaned_data)
        uploaded = self.files.get(self.add_prefix("photo"))
        if cleaned_data.get("remove_photo") and not uploaded:
            cleaned_data["photo"] = False  # what a cleared file input sends: no photo
        return cleaned_data

    def _check_public_texts(self, cleaned_data):
        """A name or organisation hidden below must not be spelled out in the public texts."""
        fellow = self.instance
        hidden = []
        if cleaned_data.get("name_visibility", Audience.PUBLIC) != Audience.PUBLIC:
            hidden += [fellow.name, fellow.name_zh]
        if cleaned_data.get("organization_visibility", Audience.PUBLIC) != Audience.PUBLIC:
            organization = fellow.organization
            hidden += [organization.name, organization.name_zh]
        for name in self.PUBLIC_TEXTS:
            found = [words for words in hidden if spells(cleaned_data.get(name) or "", words)]
            if found:
                self.add_error(
                    name,
                    _(
                        "“%(words)s” is written here, but you chose not to show it to "
                        "everyone: this text is public. Write “I” or your initials instead."
                    )
                    % {"words": found[0]},
                )

    def visibility_bound_fields(self):
        return [self[name] for name in VISIBILITY_FIELDS]


class InvitationSignupForm(forms.Form):
    """A password for the account an invitation creates; the address is the invited one."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned_data = super().clean()
        first, second = cleaned_data.get("password1"), cleaned_data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            user = get_user_model()(email=self.email)
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data
