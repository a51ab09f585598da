from django.conf import settings
from django.utils.translation import gettext_lazy as _


def site(request):
    """Values every page template needs."""
    return {"SITE_NAME": _("EU–China NGO Twinning"), "SITE_URL": settings.SITE_URL}
