"""Who may see which part of a fellow's profile.

Many fellows work for Chinese civil-society organisations, and some must not be findable. Each
fellow (or staff, recording the fellow's wish) chooses per field the widest audience that may
see it: everyone, signed-in alumni, or programme staff only. Until a choice is recorded every
field is staff-only: the public sees initials and no photo.

The audience is activated per request by `AudienceMiddleware`, as Django activates the
language and the time zone. Code that runs outside a request (emails composed by Celery, the
management commands) sees what the public sees, so forgetting to activate an audience can
only hide, never reveal.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.IntegerChoices):
    """The widest audience that may see a field; a viewer sees it when theirs is at least it."""

    PUBLIC = 0, _("Everyone")
    ALUMNI = 1, _("Signed-in alumni and staff")
    STAFF = 2, _("Programme staff only")


# The fields a fellow decides about, each stored as `<field>_visibility`.
CHOICE_FIELDS = ("name", "photo", "organization", "links")
VISIBILITY_FIELDS = tuple(f"{field}_visibility" for field in CHOICE_FIELDS)

_viewer = ContextVar("fellow_viewer", default=None)


def audience_of(user) -> Audience:
    """Staff see everything; a signed-in fellow sees what alumni see; anyone else is public."""
    if user is None or not user.is_authenticated:
        return Audience.PUBLIC
    cached = getattr(user, "_fellow_audience", None)
    if cached is None:
        if user.is_staff:
            cached = Audience.STAFF
        else:
            from .models import Fellow

            is_alumnus = Fellow.objects.filter(user=user).exists()
            cached = Audience.ALUMNI if is_alumnus else Audience.PUBLIC
        user._fellow_audience = cached
    return cached


def current_audience() -> Audience:
    return audience_of(_viewer.get())


@contextmanager
def viewing_as(user):
    """Show fellows as `user` sees them inside the block (None: as the public)."""
    token = _viewer.set(user)
    try:
        yield
    finally:
        _viewer.reset(token)


class AudienceMiddleware:
    """Shows fellows to each request as its user may see them. Lazy: an anonymous request
    costs nothing, a signed-in one at most one query, and only on pages that show a fellow."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with viewing_as(request.user):
            return self.get_response(request)
