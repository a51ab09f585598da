from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FellowsConfig(AppConfig):
    name = "fellows"
    verbose_name = _("Fellows")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
