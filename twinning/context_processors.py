from django.conf import settings


def site(request):
    """Values every page template needs."""
    return {"SITE_NAME": "EU–China NGO Twinning", "SITE_URL": settings.SITE_URL}
