"""How django-allauth behaves on this site: its emails carry the site's address and
language, a new account remembers the language it was made in, and a changed password leads
back to the account page."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language

from common.i18n import supported_language


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Someone who chose a language gets their account emails in it, whatever the page
        # they asked from; otherwise the email follows the page.
        language = getattr(context.get("user"), "language", "") or get_language()
        with translation.override(language):
            # The HTML emails share templates/emails/base.html with the subscription emails,
            # which links the site and sets the language of the message.
            context = {
                "site_url": settings.SITE_URL,
                "language": get_language(),
                "account_email": True,
                **context,
            }
            super().send_mail(template_prefix, email, context)

    def save_user(self, request, user, form, commit=True):
        # Until they choose, we write to people in the language they signed up in.
        user.language = supported_language()
        return super().save_user(request, user, form, commit=commit)

    def get_password_change_redirect_url(self, request) -> str:
        return reverse("accounts:overview")
