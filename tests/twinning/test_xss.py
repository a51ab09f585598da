"""A corpus of known XSS payloads, typed into every text field that reaches a public page.

Whatever is typed, no page may carry a script it did not ship, an event-handler attribute,
a `javascript:` (or `data:`/`vbscript:`) link, or an embedded frame/object. Markdown fields go
through the nh3 allow-list; plain fields through template auto-escaping.
"""

import re

import pytest
from django.urls import reverse

from tests.events.factories import EventFactory, SpeakerFactory
from tests.fellows.factories import FellowFactory
from tests.html import parse
from tests.stories.factories import KeywordFactory, StoryFactory

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>click</a>",
    "<a href='JaVaScRiPt:alert(1)'>click</a>",
    "<a href='jav&#x09;ascript:alert(1)'>click</a>",
    "<a href='&#106;avascript:alert(1)'>click</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "![x](javascript:alert(1))",
    '[x](https://example.org" onmouseover="alert(1))',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    '"><script>alert(1)</script>',
    "'--><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://example.org" target=_blank onclick=alert(1)>x</a>',
]
CORPUS = "\n\n".join(PAYLOADS)

DANGEROUS_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
FORBIDDEN_ELEMENTS = re.compile(
    r"<\s*(iframe|object|embed|base|meta\s+http-equiv|form\s+action=javascript)", re.IGNORECASE
)


class Inspector:
    """Every element with its attributes, from the standard library's parser."""

    def __init__(self, response):
        from html.parser import HTMLParser

        self.elements = []
        inspector = self

        class Collect(HTMLParser):
            def handle_starttag(self, tag, attrs):
                inspector.elements.append((tag, dict(attrs)))

        Collect(convert_charrefs=True).feed(response.content.decode())


def assert_no_injected_code(response):
    assert response.status_code == 200
    page = parse(response)
    assert page.inline_scripts == [], "an inline script reached the page"
    assert all(src.startswith("/static/") for src in page.script_sources), page.script_sources
    assert page.event_handler_attributes == [], page.event_handler_attributes
    for tag, attributes in Inspector(response).elements:
        assert tag not in {"iframe", "object", "embed", "base", "frame", "frameset"}, tag
        assert not (tag == "meta" and "http-equiv" in attributes), attributes
        for name in ("href", "src", "action", "formaction", "data", "poster", "xlink:href"):
            value = attributes.get(name) or ""
            assert not DANGEROUS_SCHEME.match(value), f"<{tag} {name}={value!r}>"


@pytest.fixture
def poisoned(round_with_pairings, pairing, topic):
    """Every text field of every public model holds the whole corpus."""
    topic.description = CORPUS
    topic.save()
    organization = pairing.european_organization
    organization.description = CORPUS
    organization.summary = CORPUS[:250]
    organization.city = PAYLOADS[2]
    organization.save()
    fellow = FellowFactory(
        name=PAYLOADS[0][:100],
        slug="poisoned-fellow",
        pairing=pairing,
        role=PAYLOADS[3],
        biography=CORPUS,
        testimonial=CORPUS,
        contact_email=PAYLOADS[5][:254],
        links="\n".join(PAYLOADS),  # never valid, but stored by hand all the same
    )
    keyword = KeywordFactory(name="<svg/onload=alert(1)>", slug="poisoned", description=CORPUS)
    story = StoryFactory(
        title=PAYLOADS[0],
        slug="poisoned-story",
        summary=CORPUS,
        body=CORPUS,
        cover_alt=PAYLOADS[2],
        topics=[topic],
        keywords=[keyword],
        fellows=[fellow],
        organizations=[organization],
    )
    event = EventFactory(
        title=PAYLOADS[2],
        slug="poisoned-event",
        summary=CORPUS,
        description=CORPUS,
        venue=PAYLOADS[3],
        city=PAYLOADS[0][:100],
        topics=[topic],
    )
    SpeakerFactory(event=event, name=PAYLOADS[4][:200], affiliation=PAYLOADS[6][:200])
    return {
        "topic": topic,
        "organization": organization,
        "fellow": fellow,
        "keyword": keyword,
        "story": story,
        "event": event,
    }


def pages(objects):
    yield reverse("home")
    yield reverse("search") + "?q=alert"
    yield reverse("topics")
    yield objects["topic"].get_absolute_url()
    yield reverse("organizations:list")
    yield objects["organization"].get_absolute_url()
    yield reverse("fellows:list")
    yield objects["fellow"].get_absolute_url()
    yield reverse("stories:list")
    yield objects["story"].get_absolute_url()
    yield objects["keyword"].get_absolute_url()
    yield reverse("events:list")
    yield objects["event"].get_absolute_url()
    yield objects["story"].round.get_absolute_url() if objects["story"].round else reverse("home")


def test_no_payload_survives_on_any_public_page(client, poisoned):
    for url in pages(poisoned):
        assert_no_injected_code(client.get(url))


def test_the_corpus_is_shown_as_text_not_dropped_silently(client, poisoned):
    """Escaping, not deletion, for plain fields: the title reads as typed."""
    response = client.get(poisoned["story"].get_absolute_url())

    assert "<script>alert(1)</script>" in parse(response).text


def test_external_links_in_bodies_carry_nofollow_noopener(client, published_story):
    published_story.body = "See [the partner](https://partner.example.org/report)."
    published_story.save()

    response = client.get(published_story.get_absolute_url())

    links = [
        attributes
        for tag, attributes in Inspector(response).elements
        if tag == "a" and attributes.get("href") == "https://partner.example.org/report"
    ]
    assert links
    assert set(links[0]["rel"].split()) >= {"nofollow", "noopener"}


def test_no_payload_survives_on_the_authors_pages(client, fellow, topic):
    """The write form (saved and re-shown with errors), the preview and "My stories" show an
    author's own text, and an editor's comment, back to them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stories import services
    from stories.models import Story
    from tests.accounts.factories import StaffUserFactory, UserFactory

    author = UserFactory()
    fellow.user = author
    fellow.save()
    story = services.story_save_draft(
        story=Story(title=PAYLOADS[0], summary=CORPUS, body=CORPUS, cover_alt=PAYLOADS[2]),
        by=author,
        topics=[topic],
    )
    services.story_submit(story=story, by=author)
    services.story_send_back(story=story, by=StaffUserFactory(), comment=CORPUS)
    client.force_login(author)

    for url in (
        reverse("stories:write"),
        story.get_edit_url(),
        story.get_preview_url(),
        reverse("stories:mine"),
    ):
        assert_no_injected_code(client.get(url))
    refused = client.post(
        reverse("stories:write"),
        {
            "title": PAYLOADS[29],
            "kind": "news",
            "summary": CORPUS,
            "body": CORPUS,
            "cover_alt": PAYLOADS[26],
            "cover": SimpleUploadedFile("x.jpg", PAYLOADS[1].encode()),
            "action": "save",
        },
    )
    assert "This is not a JPEG, PNG or WebP image." in parse(refused).text
    assert_no_injected_code(refused)


def test_no_payload_survives_on_a_fellows_own_edit_page(client, fellow):
    """What a fellow typed is shown back on the form, saved or refused."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.accounts.factories import UserFactory

    fellow.user = UserFactory()
    fellow.role, fellow.biography, fellow.testimonial = PAYLOADS[3], CORPUS, CORPUS
    fellow.links = "\n".join(PAYLOADS)
    fellow.save()
    client.force_login(fellow.user)

    assert_no_injected_code(client.get(fellow.edit_url()))
    refused = client.post(
        fellow.edit_url(),
        {
            "role": PAYLOADS[0][:200],
            "biography": CORPUS,
            "testimonial": CORPUS,
            "contact_email": PAYLOADS[1][:254],
            "links": "\n".join(PAYLOADS[:5]),
            "photo": SimpleUploadedFile("x.jpg", PAYLOADS[1].encode()),
            "name_visibility": "0",
            "photo_visibility": "0",
            "organization_visibility": "0",
            "links_visibility": "0",
        },
    )
    assert "Your profile was not saved" in parse(refused).text
    assert_no_injected_code(refused)
