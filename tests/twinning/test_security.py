"""Security headers on every page, no inline script or style, a clean deploy check."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.html import parse

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(round_with_pairings, fellow, published_story, upcoming_event, past_event, keyword, topic):
    return {
        "home": reverse("home"),
        "about": reverse("about"),
        "topics": reverse("topics"),
        "topic": topic.get_absolute_url(),
        "rounds": reverse("rounds:list"),
        "round": round_with_pairings.get_absolute_url(),
        "organizations": reverse("organizations:list"),
        "organization": fellow.organization.get_absolute_url(),
        "fellows": reverse("fellows:list"),
        "fellows filtered": reverse("fellows:list") + "?round=abc&page=9",
        "fellow": fellow.get_absolute_url(),
        "stories": reverse("stories:list"),
        "stories empty": reverse("stories:list") + "?year=2001",
        "story": published_story.get_absolute_url(),
        "keyword": keyword.get_absolute_url(),
        "events": reverse("events:list"),
        "event": upcoming_event.get_absolute_url(),
        "past event": past_event.get_absolute_url(),
        "404": "/no/such/page/",
    }


PAGE_NAMES = [
    "home",
    "about",
    "topics",
    "topic",
    "rounds",
    "round",
    "organizations",
    "organization",
    "fellows",
    "fellows filtered",
    "fellow",
    "stories",
    "stories empty",
    "story",
    "keyword",
    "events",
    "event",
    "past event",
    "404",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_carries_the_security_headers(client, site, name):
    response = client.get(site[name])

    assert response.status_code in (200, 404)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_has_no_inline_script_or_style(client, site, name):
    page = parse(client.get(site[name]))

    assert page.inline_scripts == [], "inline <script> (CSP would block it)"
    assert page.style_elements == 0, "<style> element (CSP would block it)"
    assert page.style_attributes == [], "style= attribute (CSP would block it)"
    assert page.event_handler_attributes == [], "on*= handler (CSP would block it)"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_is_accessible_at_a_glance(client, site, name):
    """A language, a title, a main landmark, and alt text on every image."""
    response = client.get(site[name])
    page = parse(response)
    html = response.content.decode()

    assert page.html_lang == "en"
    assert page.title.strip()
    assert "<main" in html
    assert all("alt" in image for image in page.images), page.images


@pytest.mark.django_db
def test_stylesheets_and_scripts_the_pages_use_are_served(client):
    """Static files come from 'self' (whitenoise; with the finders in tests)."""
    page = parse(client.get(reverse("home")))

    assert page.stylesheets, "the page links a stylesheet"
    for url in page.stylesheets + page.script_sources:
        assert url.startswith("/static/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


@pytest.mark.django_db
def test_admin_login_page_has_security_headers(client):
    # The admin's login page redirects to the site's sign-in, where staff sign in.
    response = client.get(reverse("admin:login"), follow=True)

    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def production_env(**overrides):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "TWINNING_"))
    }
    environment.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
            "DJANGO_ALLOWED_HOSTS": "twinning.example",
            "DJANGO_HTTPS": "1",
            "TWINNING_SITE_URL": "https://twinning.example",
            "EMAIL_URL": (
                "smtp+tls://news%40twinning.example:app-password@smtp.twinning.example:587"
            ),
        }
        | overrides
    )
    return environment


def run_manage(*args, env):
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_flags_production_without_an_email_transport():
    environment = production_env()
    del environment["EMAIL_URL"]

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=environment)

    assert result.returncode != 0
    assert "mail.E001" in result.stderr


def test_deploy_check_flags_a_site_url_that_email_links_cannot_use():
    environment = production_env(TWINNING_SITE_URL="http://127.0.0.1:8000")

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=environment)

    assert result.returncode != 0
    assert "subscriptions.E001" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    environment = production_env()
    del environment["DJANGO_SECRET_KEY"]

    result = run_manage("check", env=environment)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
