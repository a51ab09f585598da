"""The language switch: English and 简体中文 (zh-hans)."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.html import parse, text

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.mo"


def switch_to_chinese(client, next_url="/"):
    return client.post(reverse("set_language"), {"language": "zh-hans", "next": next_url})


@pytest.mark.django_db
def test_pages_are_english_by_default(client):
    assert parse(client.get(reverse("home"))).html_lang == "en"


@pytest.mark.django_db
def test_language_switch_changes_the_page_language(client):
    response = switch_to_chinese(client, next_url=reverse("fellows:list"))

    assert response.status_code == 302
    assert response["Location"] == reverse("fellows:list")
    page = parse(client.get(reverse("fellows:list")))
    assert page.html_lang == "zh-hans"


@pytest.mark.django_db
def test_language_can_be_switched_back(client):
    switch_to_chinese(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert parse(client.get(reverse("home"))).html_lang == "en"


@pytest.mark.django_db
def test_every_page_offers_the_language_switch(client):
    html = client.get(reverse("home")).content.decode()

    assert f'action="{reverse("set_language")}"' in html
    assert 'value="zh-hans"' in html
    assert "简体中文" in html


@pytest.mark.django_db
def test_unknown_language_is_ignored(client):
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert parse(client.get(reverse("home"))).html_lang == "en"


@pytest.mark.django_db
def test_switch_refuses_to_redirect_off_site(client):
    response = switch_to_chinese(client, next_url="https://evil.example/")

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.django_db
@pytest.mark.skipif(not CATALOGUE.exists(), reason="zh_Hans catalogue not compiled yet")
def test_navigation_is_translated_into_chinese(client):
    switch_to_chinese(client)
    with translation.override("zh-hans"):
        labels = [gettext("Stories"), gettext("Events")]

    page = text(client.get(reverse("home")))

    assert labels != ["Stories", "Events"], "the nav labels have Chinese translations"
    for label in labels:
        assert label in page
