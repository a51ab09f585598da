"""Every list and detail page renders in the same number of queries at 2 and at 20 rows.

Each page is rendered once on a small site (2 of everything around the page's object) and
once after the site has grown to 20; both renders must stay within the page's budget, and
the two counts must be equal (a count that grows with rows is an N+1 query). The reason for
each budget is written beside it. A page that needs more than 10 is a bug in its view.
"""

import itertools
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, SpeakerFactory
from tests.fellows.factories import FellowFactory
from tests.organizations.factories import (
    ChineseOrganizationFactory,
    EuropeanOrganizationFactory,
    ExchangeRoundFactory,
    PairingFactory,
    TopicFactory,
)
from tests.stories.factories import KeywordFactory, StoryFactory
from tests.subscriptions.factories import NewsletterFactory

SMALL, LARGE = 2, 20


@dataclass
class Site:
    """A site that grows around fixed hub objects, so that detail pages grow too."""

    topic: object = None
    keyword: object = None
    hub_round: object = None
    hub_organization: object = None
    hub_fellow: object = None
    hub_story: object = None
    hub_event: object = None
    hub_newsletter: object = None
    size: int = 0
    topics: list = field(default_factory=list)
    years: itertools.count = field(default_factory=lambda: itertools.count(2030))

    @classmethod
    def build(cls, size):
        site = cls()
        site.hub_round = ExchangeRoundFactory(year=next(site.years))
        site.topic = TopicFactory(name="Climate change", slug="climate-change")
        site.keyword = KeywordFactory(name="Going out", slug="going-out")
        site.hub_organization = ChineseOrganizationFactory(
            name="Hub Organisation", slug="hub", topics=[site.topic]
        )
        first = PairingFactory(
            round=site.hub_round, chinese_organization=site.hub_organization, topic=site.topic
        )
        site.hub_fellow = FellowFactory(pairing=first, testimonial="A turning point.")
        site.hub_story = StoryFactory(
            kind="fellow-story",
            round=site.hub_round,
            topics=[site.topic],
            keywords=[site.keyword],
            fellows=[site.hub_fellow],
            organizations=[site.hub_organization],
        )
        site.hub_event = EventFactory(topics=[site.topic], organizations=[site.hub_organization])
        site.hub_newsletter = NewsletterFactory(sent=True)
        site.grow(size)
        return site

    def grow(self, size):
        """Add rows until there are `size` of each thing around every hub."""
        for _ in range(size - self.size):
            self._add_one()
        self.size = size

    def _add_one(self):
        extra_topic = TopicFactory()
        self.topics.append(extra_topic)
        pairings = [
            # In the hub round and with the hub organisation: round and profile pages grow.
            PairingFactory(
                round=self.hub_round,
                chinese_organization=self.hub_organization,
                european_organization=EuropeanOrganizationFactory(topics=[self.topic]),
                topic=self.topic,
            ),
            # In a round of its own: the rounds list grows.
            PairingFactory(
                round=ExchangeRoundFactory(year=next(self.years)),
                chinese_organization=ChineseOrganizationFactory(topics=[extra_topic]),
                topic=extra_topic,
            ),
        ]
        fellows = []
        for pairing in pairings:
            fellows.append(FellowFactory(pairing=pairing, testimonial="Unforgettable."))
            # Half the fellows hide what identifies them: visibility costs no query per row.
            fellows.append(FellowFactory(pairing=pairing, from_china=True, without_consent=True))
        organizations = [self.hub_organization, pairings[0].european_organization]
        story = StoryFactory(
            kind="news",
            round=self.hub_round,
            topics=[self.topic, extra_topic],
            keywords=[self.keyword],
            fellows=[self.hub_fellow, *fellows],
            organizations=organizations,
        )
        StoryFactory(kind="video", topics=[self.topic], video_url="https://video.example/1")
        self.hub_story.fellows.add(*fellows)
        self.hub_story.organizations.add(*organizations)
        self.hub_story.topics.add(extra_topic)
        self.hub_story.keywords.add(KeywordFactory())
        self.hub_event.organizations.add(*organizations)
        self.hub_event.topics.add(extra_topic)
        SpeakerFactory(event=self.hub_event, fellow=fellows[0], name=fellows[0].name)
        SpeakerFactory(event=self.hub_event)
        for past in (False, True):
            event = EventFactory(
                past=past, topics=[self.topic, extra_topic], organizations=organizations
            )
            SpeakerFactory(event=event, fellow=fellows[1])
        NewsletterFactory(sent=True)
        NewsletterFactory()  # not sent: not in the archive
        return story


# page name -> (url builder, budget, reason). Budgets are the counts measured today: a
# change that adds a query must say why here.
PAGES = {
    "home": (
        lambda site: reverse("home"),
        8,
        "held rounds + organisations + fellows + open round + stories + topics + quotes + events",
    ),
    "about": (lambda site: reverse("about"), 1, "the public rounds with their counts"),
    "topics": (lambda site: reverse("topics"), 1, "the topics with their counts"),
    "topic": (
        lambda site: site.topic.get_absolute_url(),
        7,
        "topic + organisations + fellows + stories + their topics + upcoming + past events",
    ),
    "search": (
        lambda site: reverse("search") + "?q=a",
        5,
        "fellows (joined) + organisations + stories + their topics + events",
    ),
    "rounds:list": (lambda site: reverse("rounds:list"), 1, "the rounds with their counts"),
    "rounds:detail": (
        lambda site: site.hub_round.get_absolute_url(),
        5,
        "round + pairings (joined) + their fellows + stories + their topics",
    ),
    "organizations:list": (
        lambda site: reverse("organizations:list"),
        5,
        "count + page + their topics + filter choices (topics, rounds)",
    ),
    "organizations:list?filtered": (
        lambda site: (
            reverse("organizations:list")
            + f"?region=china&topic={site.topic.slug}&round={site.hub_round.year}"
        ),
        7,
        "as the list, plus the topic and round validated",
    ),
    "organizations:detail": (
        lambda site: site.hub_organization.get_absolute_url(),
        7,
        "organisation + topics + pairings (joined) + their fellows + fellows + stories + topics",
    ),
    "fellows:list": (
        lambda site: reverse("fellows:list"),
        5,
        "count + page (joined) + filter choices (rounds, topics, organisations)",
    ),
    "fellows:list?filtered": (
        lambda site: (
            reverse("fellows:list")
            + f"?round={site.hub_round.year}&topic={site.topic.slug}"
            + "&organization=hub&direction=eu-cn"
        ),
        8,
        "as the list, plus the round, topic and organisation validated",
    ),
    "fellows:detail": (
        lambda site: site.hub_fellow.get_absolute_url(),
        3,
        "fellow (joined: organisation, pairing, round, topic, partners) + stories + topics",
    ),
    "stories:list": (
        lambda site: reverse("stories:list"),
        6,
        "count + page (joined round) + their topics + filter choices (topics, keywords, rounds)",
    ),
    "stories:list?filtered": (
        lambda site: (
            reverse("stories:list")
            + f"?topic={site.topic.slug}&keyword={site.keyword.slug}&kind=news"
        ),
        8,
        "as the list, plus the topic and keyword validated",
    ),
    "stories:detail": (
        lambda site: site.hub_story.get_absolute_url(),
        8,
        "story + topics + keywords + organisations + fellows + their organisations"
        " + related stories + their topics",
    ),
    "stories:keyword": (
        lambda site: site.keyword.get_absolute_url(),
        4,
        "keyword + count + page of excerpts + their topics",
    ),
    "events:list": (
        lambda site: reverse("events:list"),
        6,
        "count + past page + topics + upcoming + topics + topic choices",
    ),
    "events:list?filtered": (
        lambda site: reverse("events:list") + f"?topic={site.topic.slug}&kind=workshop",
        8,
        "as the list, plus the topic validated by the past and the upcoming filter",
    ),
    "events:detail": (
        lambda site: site.hub_event.get_absolute_url(),
        5,
        "event (joined round) + topics + organisations + speakers + their fellows",
    ),
    "subscriptions:newsletters": (
        lambda site: reverse("subscriptions:newsletters"),
        2,
        "count + page of sent newsletters",
    ),
    "subscriptions:newsletter": (
        lambda site: site.hub_newsletter.get_absolute_url(),
        1,
        "the newsletter",
    ),
}


def render_counting(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), [query["sql"] for query in queries.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_the_same_few_queries_at_two_sizes(
    client, django_assert_max_num_queries, page
):
    url_for, budget, reason = PAGES[page]
    assert budget <= 10, f"{page}: a page may make at most 10 queries ({reason})"
    site = Site.build(SMALL)
    client.get(url_for(site))  # warm up: first-request work is not the page's

    with django_assert_max_num_queries(budget):
        small, _ = render_counting(client, url_for(site))

    site.grow(LARGE)
    with django_assert_max_num_queries(budget):
        large, queries = render_counting(client, url_for(site))

    assert large == small, (
        f"{page} made {small} queries with {SMALL} rows and {large} with {LARGE}:\n"
        + "\n".join(queries)
    )


# Pages that show fellows, seen by a signed-in alumnus: the session, the user, and whether
# they are a fellow (fellows.visibility) come on top of each page's own budget.
SIGNED_IN_EXTRA = 3
ALUMNI_PAGES = [
    "fellows:list",
    "fellows:list?filtered",
    "fellows:detail",
    "organizations:detail",
    "rounds:detail",
    "topic",
    "search",
    "stories:detail",
    "home",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ALUMNI_PAGES)
def test_an_alumnus_sees_pages_in_the_same_few_queries_at_two_sizes(
    client, django_assert_max_num_queries, page
):
    url_for, budget, _ = PAGES[page]
    site = Site.build(SMALL)
    client.force_login(FellowFactory(user=UserFactory()).user)
    client.get(url_for(site))

    with django_assert_max_num_queries(budget + SIGNED_IN_EXTRA):
        small, _ = render_counting(client, url_for(site))
    site.grow(LARGE)
    with django_assert_max_num_queries(budget + SIGNED_IN_EXTRA):
        large, queries = render_counting(client, url_for(site))

    assert large == small, f"{page}: {small} then {large} queries:\n" + "\n".join(queries)
