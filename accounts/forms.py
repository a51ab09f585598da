"""allauth's forms with the site's labels: sentence case, no placeholders (every field has a
visible label, and a placeholder repeating it only adds noise for screen readers).

Wired in settings.ACCOUNT_FORMS. The fields, validation and rate limits are allauth's own.
"""

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.i18n import supported_language

from .models import User

NEW_PASSWORD_LABELS = {"password1": _("New password"), "password2": _("New password (again)")}


class SiteLabelsMixin:
    labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]


class LoginForm(SiteLabelsMixin, allauth_forms.LoginForm):
    labels = {"remember": _("Keep me signed in on this device")}


class SignupForm(SiteLabelsMixin, allauth_forms.SignupForm):
    pass


class ResetPasswordForm(SiteLabelsMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(SiteLabelsMixin, allauth_forms.ResetPasswordKeyForm):
    labels = NEW_PASSWORD_LABELS


class ChangePasswordForm(SiteLabelsMixin, allauth_forms.ChangePasswordForm):
    labels = {"oldpassword": _("Current password"), **NEW_PASSWORD_LABELS}


class SetPasswordForm(SiteLabelsMixin, allauth_forms.SetPasswordForm):
    labels = NEW_PASSWORD_LABELS


class AddEmailForm(SiteLabelsMixin, allauth_forms.AddEmailForm):
    labels = {"email": _("New address")}


class ReauthenticateForm(SiteLabelsMixin, allauth_forms.ReauthenticateForm):
    pass


class LanguageForm(forms.ModelForm):
    """The language we write to someone in: reminders, invitations, account emails."""

    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": _("Write to me in")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        language.required = True
        # Each language in its own name: whoever needs the other one can read its name.
        language.choices = [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ]
        if not self.instance.language:
            self.initial["language"] = supported_language()
