from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # Not "Accounts": django-allauth's admin section (email addresses) is called that.
    verbose_name = _("Users")
