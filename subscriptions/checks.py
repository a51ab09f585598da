"""Deploy checks: links in emails must be absolute https links to the real site."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs):
    url = urlsplit(settings.SITE_URL)
    if url.scheme == "https" and url.hostname not in (None, "localhost", "127.0.0.1"):
        return []
    return [
        Error(
            "TWINNING_SITE_URL must be the public https address of the site "
            f"(it is {settings.SITE_URL!r}).",
            hint="Links in emails, List-Unsubscribe included (RFC 8058), are built from it.",
            id="subscriptions.E001",
        )
    ]
