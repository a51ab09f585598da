from functools import partial

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stories.models import is_writer


def site(request):
    """Values every page template needs."""
    return {
        "SITE_NAME": _("EU–China NGO Twinning"),
        "SITE_URL": settings.SITE_URL,
        # A callable: templates ask only when they use it (signed in), at most one query.
        "can_write": partial(is_writer, request.user) if hasattr(request, "user") else False,
    }
