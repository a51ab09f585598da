"""How django-allauth behaves on this site: its emails carry the site's address and
language, and a changed password leads back to the account page."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The HTML emails share templates/emails/base.html with the subscription emails,
        # which links the site and sets the language of the message.
        context = {
            "site_url": settings.SITE_URL,
            "language": get_language(),
            "account_email": True,
            **context,
        }
        super().send_mail(template_prefix, email, context)

    def get_password_change_redirect_url(self, request) -> str:
        return reverse("accounts:overview")
