"""Video links: allow-listed providers only, shown behind a click-to-load facade."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.forms import VideoURLField
from common.video import EMBED_ORIGINS, NotAVideo, parse_video_url
from tests.html import parse, text
from tests.stories.factories import StoryFactory

VALID = [
    # (link, provider, id, embed address)
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "YouTube",
        "dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://youtube.com/watch?v=dQw4w9WgXcQ&list=PL123&t=42s",
        "YouTube",
        "dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "http://m.youtube.com/watch?feature=share&v=a_b-C1d2E3f",
        "YouTube",
        "a_b-C1d2E3f",
        "https://www.youtube-nocookie.com/embed/a_b-C1d2E3f",
    ),
    (
        "https://youtu.be/dQw4w9WgXcQ?si=abc",
        "YouTube",
        "dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "YouTube",
        "dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "YouTube",
        "dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "  https://WWW.YouTube.com/watch?v=dQw4w9WgXcQ  ",
        "YouTube",
        "dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://vimeo.com/76979871",
        "Vimeo",
        "76979871",
        "https://player.vimeo.com/video/76979871?dnt=1",
    ),
    (
        "https://vimeo.com/76979871/8272103f6e",
        "Vimeo",
        "76979871",
        "https://player.vimeo.com/video/76979871?h=8272103f6e&dnt=1",
    ),
    (
        "https://vimeo.com/channels/staffpicks/76979871",
        "Vimeo",
        "76979871",
        "https://player.vimeo.com/video/76979871?dnt=1",
    ),
    (
        "https://player.vimeo.com/video/76979871",
        "Vimeo",
        "76979871",
        "https://player.vimeo.com/video/76979871?dnt=1",
    ),
    (
        "https://www.bilibili.com/video/BV1GJ411x7h7/?spm_id_from=333.337",
        "Bilibili",
        "BV1GJ411x7h7",
        "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0",
    ),
    (
        "https://m.bilibili.com/video/BV1GJ411x7h7",
        "Bilibili",
        "BV1GJ411x7h7",
        "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0",
    ),
    (
        "https://v.youku.com/v_show/id_XNTk2NDcwMjQ0OA==.html",
        "Youku",
        "XNTk2NDcwMjQ0OA==",
        "https://player.youku.com/embed/XNTk2NDcwMjQ0OA==",
    ),
    (
        "https://v.youku.com/v_show/id_XNTk2NDcwMjQ0OA.html?spm=a2h0c",
        "Youku",
        "XNTk2NDcwMjQ0OA",
        "https://player.youku.com/embed/XNTk2NDcwMjQ0OA",
    ),
]

INVALID = [
    "",
    "javascript:alert(1)",
    "JavaScript://www.youtube.com/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "//www.youtube.com/watch?v=dQw4w9WgXcQ",
    "www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ",
    "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
    "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
    "https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com./watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com\\@evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.you tube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/watch?v=dQw4w9\nWgXcQ",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=a_b-C1d2E3f",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ%22onload=%22alert(1)",
    "https://www.youtube.com/channel/UC1234567890",
    "https://www.youtube.com/",
    "https://youtu.be/",
    "https://youtu.be/dQw4w9WgXcQ/extra",
    "https://vimeo.com/",
    "https://vimeo.com/staffpicks",
    "https://vimeo.com/76979871/not-a-key!",
    "https://vimeo.com/0123",
    "https://www.bilibili.com/video/av170001",
    "https://www.bilibili.com/video/BV1GJ411x7h7%3Cscript%3E",
    "https://b23.tv/BV1GJ411x7h7",
    "https://v.youku.com/v_show/id_<script>.html",
    "https://v.youku.com/v_show/XNTk2NDcwMjQ0OA==.html",
    "https://www.youku.com/",
    "https://videos.twinning.example/ten-years-of-eu-china-ngo-twinning",
    "https://www.dailymotion.com/video/x7tgad0",
    "https://" + "a" * 2100,
]


@pytest.mark.parametrize(("link", "provider", "video_id", "embed"), VALID)
def test_links_to_allow_listed_providers_become_privacy_friendly_embeds(
    link, provider, video_id, embed
):
    video = parse_video_url(link)

    assert video.provider_name == provider
    assert video.id == video_id
    assert video.embed_url == embed
    assert video.embed_url.startswith(EMBED_ORIGINS)


@pytest.mark.parametrize("link", INVALID)
def test_anything_else_is_refused(link):
    with pytest.raises(NotAVideo):
        parse_video_url(link)


def test_the_watch_link_is_built_from_the_id_not_echoed():
    video = parse_video_url("https://youtu.be/dQw4w9WgXcQ?si=tracking-token")

    assert video.watch_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", "YouTube, Vimeo, Bilibili"),
        ("javascript:alert(1)", "YouTube, Vimeo, Bilibili"),
        ("https://www.youtube.com/channel/UC1234567890", "does not point at one video"),
    ],
)
def test_the_form_field_says_what_is_wrong(link, message):
    field = VideoURLField(required=False)

    with pytest.raises(ValidationError) as error:
        field.clean(link)

    assert message in " ".join(error.value.messages)


def test_the_form_field_accepts_a_provider_link_and_an_empty_value():
    field = VideoURLField(required=False)

    assert field.clean(" https://vimeo.com/76979871 ") == "https://vimeo.com/76979871"
    assert field.clean("") == ""


# ------------------------------------------------------------------------------
# Pages
# ------------------------------------------------------------------------------
@pytest.fixture
def video_story(db):
    return StoryFactory(
        title="Ten years of Twinning",
        slug="ten-years-of-twinning",
        kind="video",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )


def test_a_video_story_shows_a_click_to_load_facade_and_no_frame(client, video_story):
    response = client.get(video_story.get_absolute_url())
    html = response.content.decode()
    page = parse(response)

    assert response.status_code == 200
    assert "<iframe" not in html
    assert "Play video — loads content from YouTube" in text(response)
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    # Nothing on the page is fetched from the provider before the visitor clicks.
    assert "ytimg" not in html
    assert not [img for img in page.images if "youtube" in img.get("src", "")]
    # A plain link for visitors without JavaScript, and the script that swaps the player in.
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in page.links
    assert any(src.endswith("js/video.js") for src in page.script_sources)
    assert page.inline_scripts == []
    assert page.style_attributes == []


def test_a_video_with_a_cover_uses_it_as_the_poster(client, video_story, settings):
    from django.core.files.base import ContentFile

    from tests.common.test_uploads import image_bytes

    video_story.cover.save("still.jpg", ContentFile(image_bytes("JPEG", (1200, 675))))
    html = client.get(video_story.get_absolute_url()).content.decode()

    assert 'class="video-poster"' in html
    assert "/media/renditions/cover-v1/stories/covers/still" in html


def test_a_link_saved_before_links_were_checked_stays_a_plain_link(client, db):
    story = StoryFactory(kind="video", video_url="https://videos.twinning.example/old-film")

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert "data-embed-src" not in response.content.decode()
    assert "https://videos.twinning.example/old-film" in parse(response).links


def test_frame_sources_are_exactly_the_embed_hosts(client, video_story):
    response = client.get(video_story.get_absolute_url())

    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    assert sorted(directives["frame-src"].split()) == sorted(EMBED_ORIGINS)
    assert directives["frame-ancestors"] == "'none'"
    assert sorted(settings.SECURE_CSP["frame-src"]) == sorted(EMBED_ORIGINS)


def test_the_admin_refuses_a_lookalike_video_host(admin_client, video_story):
    from tests.common.admin import change_form_data

    url = reverse("admin:stories_story_change", args=[video_story.pk])
    data = change_form_data(admin_client, url)
    data["video_url"] = "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Link to a video on one of these sites: YouTube, Vimeo, Bilibili, Youku." in text(
        response
    )
    video_story.refresh_from_db()
    assert video_story.video_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def test_the_admin_saves_a_vimeo_link(admin_client, video_story):
    from tests.common.admin import change_form_data

    url = reverse("admin:stories_story_change", args=[video_story.pk])
    data = change_form_data(admin_client, url)
    data["video_url"] = "https://vimeo.com/76979871"

    response = admin_client.post(url, data)

    assert response.status_code == 302, text(response)[:2000]
    video_story.refresh_from_db()
    assert video_story.video_url == "https://vimeo.com/76979871"
