"""Volume data for benchmarks: `seed_demo --scale N` adds N "units" of filler.

One unit is roughly the curated demo's size: 60 organisations (30 European, 30 Chinese),
34 pairings, 60 fellows, 40 stories and 12 events with speakers. Topics and rounds are the
curated ones, reused. Every slug starts with the unit's prefix (`x0007-…`), so a unit that
exists is skipped: `--scale 170` twice adds nothing the second time, and `--scale 200`
after it adds units 171–200. `--reset` removes them all.

Rows are written with `bulk_create` in batches of units, one transaction per batch, and
filled by Faker (seeded by unit number, so unit 7 always reads the same). No images: the
templates fall back to initials and CSS. `Story.save()` is bypassed by bulk_create, so
`body_html` is rendered here with `common.markdown.render_markdown`.
"""

import datetime as dt
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from common.markdown import render_markdown
from events.models import Event, Speaker
from fellows.models import Fellow
from fellows.visibility import Audience
from organizations.countries import EUROPEAN_COUNTRIES
from organizations.models import ExchangeRound, Organization, Pairing, Topic
from stories.models import Story

PREFIX_REGEX = r"^x[0-9]{4}-"
UNITS_PER_BATCH = 10
BATCH_SIZE = 500

EUROPEAN_PER_UNIT = 30
PAIRINGS_PER_UNIT = 34
STORIES_PER_UNIT = 40
EVENTS_PER_UNIT = 12

# Faker locales per European country. Bulgaria and Greece borrow a Latin-script neighbour's
# names, so that every name has a readable slug.
LOCALES = {
    "AT": "de_AT", "BE": "nl_BE", "BG": "ro_RO", "HR": "hr_HR", "CZ": "cs_CZ", "DK": "da_DK",
    "EE": "et_EE", "FI": "fi_FI", "FR": "fr_FR", "DE": "de_DE", "GR": "it_IT", "HU": "hu_HU",
    "IE": "en_IE", "IT": "it_IT", "LV": "lv_LV", "LT": "lt_LT", "LU": "fr_FR", "NL": "nl_NL",
    "NO": "no_NO", "PL": "pl_PL", "PT": "pt_PT", "RO": "ro_RO", "SK": "sk_SK", "SI": "sl_SI",
    "ES": "es_ES", "SE": "sv_SE", "CH": "de_CH", "GB": "en_GB",
}  # fmt: skip

# Chinese names are composed here, so that the pinyin and the characters name one person.
SURNAMES = [
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
    ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"),
    ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Lin", "林"),
    ("Luo", "罗"), ("Gao", "高"), ("Liang", "梁"), ("Song", "宋"), ("Tang", "唐"), ("Han", "韩"),
]  # fmt: skip
GIVEN_NAMES = [
    ("Wei", "伟"), ("Fang", "芳"), ("Min", "敏"), ("Jing", "静"), ("Lei", "磊"), ("Yan", "燕"),
    ("Jie", "杰"), ("Tao", "涛"), ("Xiaoyu", "晓雨"), ("Mingyu", "明宇"), ("Lihua", "丽华"),
    ("Jiaqi", "佳琪"), ("Haoran", "浩然"), ("Yuting", "雨婷"), ("Zihan", "子涵"), ("Bo", "博"),
    ("Qian", "倩"), ("Hui", "慧"), ("Xin", "欣"), ("Peng", "鹏"), ("Lan", "兰"), ("Yun", "云"),
    ("Chen", "晨"), ("Ning", "宁"), ("Xiaomei", "晓梅"), ("Jianguo", "建国"), ("Shan", "珊"),
]  # fmt: skip

CHINESE_PLACES = [
    ("Beijing", "北京", "Beijing"), ("Shanghai", "上海", "Shanghai"),
    ("Tianjin", "天津", "Tianjin"), ("Chongqing", "重庆", "Chongqing"),
    ("Kunming", "昆明", "Yunnan"), ("Dali", "大理", "Yunnan"), ("Chengdu", "成都", "Sichuan"),
    ("Guangzhou", "广州", "Guangdong"), ("Shenzhen", "深圳", "Guangdong"),
    ("Hangzhou", "杭州", "Zhejiang"), ("Ningbo", "宁波", "Zhejiang"), ("Wuhan", "武汉", "Hubei"),
    ("Xi'an", "西安", "Shaanxi"), ("Lanzhou", "兰州", "Gansu"), ("Guiyang", "贵阳", "Guizhou"),
    ("Hohhot", "呼和浩特", "Inner Mongolia"), ("Changsha", "长沙", "Hunan"),
    ("Xiamen", "厦门", "Fujian"), ("Nanjing", "南京", "Jiangsu"), ("Suzhou", "苏州", "Jiangsu"),
    ("Qingdao", "青岛", "Shandong"), ("Hefei", "合肥", "Anhui"), ("Zhengzhou", "郑州", "Henan"),
    ("Nanning", "南宁", "Guangxi"), ("Harbin", "哈尔滨", "Heilongjiang"),
]  # fmt: skip

ORGANIZATION_KINDS = [
    ("Climate Action Network", "气候行动网络"),
    ("Environmental Volunteers Association", "环保志愿者协会"),
    ("Fair Trade Network", "公平贸易网络"),
    ("Community Development Center", "社区发展中心"),
    ("Women's Development Network", "妇女发展网络"),
    ("Disaster Preparedness Center", "防灾减灾中心"),
    ("Youth Health Center", "青少年健康中心"),
    ("Zero Waste Alliance", "零废弃联盟"),
    ("Rural Cooperative Support Center", "农村合作社支持中心"),
    ("Civic Participation Center", "公众参与中心"),
    ("Heritage Association", "文化遗产协会"),
    ("Sustainable Tourism Cooperative", "可持续旅游合作社"),
]
EUROPEAN_KINDS = [
    "Climate Alliance", "Environmental Association", "Fair Trade Network", "Civic Forum",
    "Women's Network", "Rural Solidarity", "Zero Waste Initiative", "Heritage Federation",
    "Youth Health Initiative", "Disaster Response Network", "Transition Network",
    "Development Education Alliance",
]  # fmt: skip
ROLES = [
    "Programme officer", "Project manager", "Campaigns officer", "Volunteer coordinator",
    "Researcher", "Training coordinator", "Community organiser", "Communications officer",
]  # fmt: skip
PLACES = [
    ("Berlin", "Europe/Berlin"), ("Brussels", "Europe/Brussels"), ("Vienna", "Europe/Vienna"),
    ("Rome", "Europe/Rome"), ("Paris", "Europe/Paris"), ("Warsaw", "Europe/Warsaw"),
    ("London", "Europe/London"), ("Kunming", "Asia/Shanghai"), ("Beijing", "Asia/Shanghai"),
]  # fmt: skip


def existing_units() -> set[int]:
    """Unit numbers already present, read from the organisations' slug prefixes."""
    slugs = Organization.objects.filter(slug__regex=PREFIX_REGEX).values_list("slug", flat=True)
    return {int(slug[1:5]) for slug in slugs.iterator()}


class MarkdownPool:
    """Story bodies built from pre-rendered blocks, so 10,000 bodies need ~300 renderings.

    Markdown renders blank-line-separated blocks of these kinds (a heading, a paragraph, a
    list, a quote) independently, so a body's HTML is the renderings of its blocks joined
    by newlines; `check()` verifies that on a sample before any row is written.
    """

    def __init__(self, fake, size: int = 60):
        def block(text):
            return text, render_markdown(text)

        self.headings = [block(f"## {fake.sentence(nb_words=4).rstrip('.')}") for _ in range(size)]
        self.paragraphs = [block(fake.paragraph(nb_sentences=5)) for _ in range(size * 3)]
        self.lists = [
            block("\n".join(f"- {fake.sentence(nb_words=6)}" for _ in range(3)))
            for _ in range(size)
        ]
        self.quotes = [block(f"> {fake.sentence(nb_words=14)}") for _ in range(size)]

    def body(self, rng: random.Random) -> tuple[str, str]:
        blocks = [
            rng.choice(self.paragraphs),
            rng.choice(self.headings),
            rng.choice(self.paragraphs),
            rng.choice(self.lists),
            rng.choice(self.quotes),
            rng.choice(self.paragraphs),
        ]
        return "\n\n".join(b[0] for b in blocks) + "\n", "\n".join(b[1] for b in blocks)

    def check(self, rng: random.Random) -> None:
        for _ in range(5):
            markdown_text, html = self.body(rng)
            if render_markdown(markdown_text) != html:
                raise AssertionError("composed Markdown blocks render differently")


def build_units(units: list[int], fake_factory, topics, rounds, pool, now) -> Counter:
    """Create the rows of the given units with bulk inserts. Returns counts per model."""
    counts = Counter()
    organizations, org_topics = [], []
    for unit in units:
        organizations += _organizations(unit, fake_factory, topics, org_topics)
    Organization.objects.bulk_create(organizations, batch_size=BATCH_SIZE)
    counts["organizations"] += len(organizations)
    Organization.topics.through.objects.bulk_create(
        [
            Organization.topics.through(organization_id=org.pk, topic_id=topic.pk)
            for org, topic in org_topics
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )

    by_unit = {}
    for org in organizations:
        by_unit.setdefault(int(org.slug[1:5]), []).append(org)

    pairings = []
    for unit in units:
        rng = random.Random(unit)
        orgs = by_unit[unit]
        european, chinese = orgs[:EUROPEAN_PER_UNIT], orgs[EUROPEAN_PER_UNIT:]
        for index in range(PAIRINGS_PER_UNIT):
            pairings.append(
                Pairing(
                    round=rounds[index % len(rounds)],
                    european_organization=european[index % len(european)],
                    # A different partner when a European organisation is paired again.
                    chinese_organization=chinese[
                        (index * 7 + index // len(european)) % len(chinese)
                    ],
                    topic=rng.choice(topics),
                    summary=f"Exchange on {rng.choice(topics).name.lower()}.",
                )
            )
    Pairing.objects.bulk_create(pairings, batch_size=BATCH_SIZE)
    counts["pairings"] += len(pairings)

    fellows = []
    for unit in units:
        fellows += _fellows(unit, fake_factory, pairings_of(pairings, unit))
    Fellow.objects.bulk_create(fellows, batch_size=BATCH_SIZE)
    counts["fellows"] += len(fellows)

    stories, story_links = [], []
    for unit in units:
        stories += _stories(unit, fake_factory, topics, rounds, pool, now, story_links, by_unit)
    Story.objects.bulk_create(stories, batch_size=BATCH_SIZE)
    counts["stories"] += len(stories)
    fellows_by_unit = {}
    for fellow in fellows:
        fellows_by_unit.setdefault(int(fellow.slug[1:5]), []).append(fellow)
    _link_stories(story_links, fellows_by_unit)

    events, speakers, event_topics = [], [], []
    for unit in units:
        _events(unit, fake_factory, topics, rounds, now, events, speakers, event_topics)
    Event.objects.bulk_create(events, batch_size=BATCH_SIZE)
    counts["events"] += len(events)
    for speaker in speakers:
        speaker.event_id = speaker.event.pk
    Speaker.objects.bulk_create(speakers, batch_size=BATCH_SIZE)
    counts["speakers"] += len(speakers)
    Event.topics.through.objects.bulk_create(
        [Event.topics.through(event_id=e.pk, topic_id=t.pk) for e, t in event_topics],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    return counts


def pairings_of(pairings, unit):
    return [p for p in pairings if int(p.european_organization.slug[1:5]) == unit]


def _slug(unit: int, kind: str, index: int, text: str) -> str:
    return f"x{unit:04d}-{kind}{index:03d}-{slugify(text)}"[:180].rstrip("-")


def _organizations(unit, fake_factory, topics, org_topics):
    rng = random.Random(unit)
    orgs = []
    european_codes = [code for code, _name in EUROPEAN_COUNTRIES]
    for index in range(EUROPEAN_PER_UNIT):
        country = european_codes[(unit + index) % len(european_codes)]
        fake = fake_factory(LOCALES[country], unit * 1000 + index)
        city = fake.city()
        name = f"{city} {rng.choice(EUROPEAN_KINDS)}"
        orgs.append(
            Organization(
                name=name,
                slug=_slug(unit, "o", index, name),
                region=Organization.Region.EUROPE,
                country=country,
                city=city[:100],
                founded=rng.randint(1950, 2015),
                description=fake_factory("en_US", unit * 1000 + index).paragraph(3),
            )
        )
    fake = fake_factory("en_US", unit)
    for index in range(EUROPEAN_PER_UNIT, 2 * EUROPEAN_PER_UNIT):
        city, city_zh, province = rng.choice(CHINESE_PLACES)
        kind, kind_zh = rng.choice(ORGANIZATION_KINDS)
        name = f"{city} {kind}"
        orgs.append(
            Organization(
                name=name,
                name_zh=f"{city_zh}{kind_zh}",
                slug=_slug(unit, "o", index, name),
                region=Organization.Region.CHINA,
                country="CN",
                province=province,
                city=city,
                founded=rng.randint(1990, 2018),
                description=fake.paragraph(3),
            )
        )
    for org in orgs:
        for topic in rng.sample(topics, 2):
            org_topics.append((org, topic))
    return orgs


def _fellows(unit, fake_factory, pairings):
    rng = random.Random(unit)
    english_fake = fake_factory("en_US", unit)
    fellows = []
    index = 0
    for pairing in pairings:
        if len(fellows) >= 60:
            break
        for home, direction in (
            (pairing.european_organization, Fellow.Direction.EUROPE_TO_CHINA),
            (pairing.chinese_organization, Fellow.Direction.CHINA_TO_EUROPE),
        ):
            if home.is_european:
                fake = fake_factory(LOCALES[home.country], unit * 1000 + index)
                name, name_zh = f"{fake.first_name()} {fake.last_name()}", ""
            else:
                (surname, surname_zh), (given, given_zh) = (
                    rng.choice(SURNAMES),
                    rng.choice(GIVEN_NAMES),
                )
                name, name_zh = f"{surname} {given}", f"{surname_zh}{given_zh}"
            fellows.append(
                Fellow(
                    name=name[:200],
                    name_zh=name_zh,
                    slug=_slug(unit, "f", index, name),
                    organization=home,
                    pairing=pairing,
                    direction=direction,
                    role=rng.choice(ROLES),
                    biography=english_fake.paragraph(nb_sentences=6),
                    testimonial=english_fake.sentence(nb_words=18) if rng.random() < 0.5 else "",
                    # Nine in ten chose to be public; the rest recorded no choice (initials).
                    **(_PUBLIC if rng.random() < 0.9 else {}),
                )
            )
            index += 1
    return fellows[:60]


_PUBLIC = {
    "name_visibility": Audience.PUBLIC,
    "photo_visibility": Audience.PUBLIC,
    "organization_visibility": Audience.PUBLIC,
    "links_visibility": Audience.PUBLIC,
    "consent_recorded_at": dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
}


def _stories(unit, fake_factory, topics, rounds, pool, now, links, orgs_by_unit):
    rng = random.Random(unit)
    fake = fake_factory("en_US", unit)
    kinds = list(Story.Kind)
    start = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)
    span = (now - dt.timedelta(days=1) - start).total_seconds()
    stories = []
    for index in range(STORIES_PER_UNIT):
        title = fake.sentence(nb_words=7).rstrip(".")
        body, body_html = pool.body(rng)
        kind = kinds[index % len(kinds)]
        story = Story(
            title=title,
            slug=_slug(unit, "s", index, title),
            kind=kind,
            status=Story.Status.PUBLISHED,
            published_at=start + dt.timedelta(seconds=rng.random() * span),
            summary=fake.sentence(nb_words=20),
            body=body,
            body_html=body_html,
            video_url=f"https://videos.twinning.example/{unit}-{index}"
            if kind == Story.Kind.VIDEO
            else "",
            round=rng.choice(rounds),
        )
        stories.append(story)
        links.append(
            (story, unit, rng.sample(topics, 2), rng.sample(orgs_by_unit[unit], 2), index)
        )
    return stories


def _link_stories(links, fellows_by_unit):
    topic_rows, org_rows, fellow_rows = [], [], []
    for story, unit, story_topics, story_orgs, index in links:
        topic_rows += [
            Story.topics.through(story_id=story.pk, topic_id=t.pk) for t in story_topics
        ]
        org_rows += [
            Story.organizations.through(story_id=story.pk, organization_id=o.pk)
            for o in story_orgs
        ]
        fellows = fellows_by_unit.get(unit, [])
        if fellows:
            fellow = fellows[index % len(fellows)]
            fellow_rows.append(Story.fellows.through(story_id=story.pk, fellow_id=fellow.pk))
    for model, rows in (
        (Story.topics.through, topic_rows),
        (Story.organizations.through, org_rows),
        (Story.fellows.through, fellow_rows),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)


def _events(unit, fake_factory, topics, rounds, now, events, speakers, event_topics):
    rng = random.Random(unit)
    fake = fake_factory("en_US", unit)
    kinds = list(Event.Kind)
    for index in range(EVENTS_PER_UNIT):
        title = fake.sentence(nb_words=6).rstrip(".")
        city, zone = rng.choice(PLACES)
        # Two thirds in the past since 2013, one third in the coming six months.
        if index % 3:
            starts = dt.datetime(2013, 3, 1, 9, tzinfo=dt.UTC) + dt.timedelta(
                days=rng.randint(0, (now - dt.datetime(2013, 3, 2, tzinfo=dt.UTC)).days)
            )
        else:
            starts = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(
                days=rng.randint(1, 180)
            )
        online = index % 4 == 0
        event = Event(
            title=title,
            slug=_slug(unit, "e", index, title),
            kind=kinds[index % len(kinds)],
            summary=fake.sentence(nb_words=18),
            description="",
            description_html="",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=rng.choice([1, 2, 3, 8, 30])),
            time_zone=zone,
            venue="" if online else f"{fake.last_name()} Hall",
            city="" if online else city,
            online_url=f"https://meet.twinning.example/{unit}-{index}" if online else "",
            capacity=rng.choice([20, 40, 80, 150, None]),
            round=rng.choice(rounds),
        )
        events.append(event)
        for position, gender in enumerate(
            (Speaker.Gender.WOMAN, Speaker.Gender.MAN, Speaker.Gender.WOMAN), start=1
        ):
            first = (
                fake.first_name_female()
                if gender == Speaker.Gender.WOMAN
                else fake.first_name_male()
            )
            speakers.append(
                Speaker(
                    event=event,
                    name=f"{first} {fake.last_name()}",
                    affiliation=fake.company(),
                    gender=gender,
                    position=position,
                )
            )
        event_topics.extend((event, topic) for topic in rng.sample(topics, 2))


def add_scale(target_units: int, stdout_write=None) -> Counter:
    """Add units 1..target_units that are not there yet. Returns counts of what was added."""
    from faker import Faker  # dev dependency; the command checks it is installed

    fakers = {}

    def fake_factory(locale: str, seed: int):
        fake = fakers.get(locale)
        if fake is None:
            fake = fakers[locale] = Faker(locale)
        fake.seed_instance(seed)
        return fake

    topics = list(Topic.objects.order_by("slug"))
    rounds = list(ExchangeRound.objects.filter(status=ExchangeRound.Status.COMPLETED))
    if not topics or not rounds:
        raise RuntimeError("Load the curated demo first: --scale reuses its topics and rounds.")
    missing = sorted(set(range(1, target_units + 1)) - existing_units())
    counts = Counter()
    if not missing:
        return counts
    pool = MarkdownPool(fake_factory("en_US", 0))
    pool.check(random.Random(0))
    now = timezone.now()
    for start in range(0, len(missing), UNITS_PER_BATCH):
        batch = missing[start : start + UNITS_PER_BATCH]
        with transaction.atomic():
            counts += build_units(batch, fake_factory, topics, rounds, pool, now)
        if stdout_write:
            stdout_write(f"  units {batch[0]}–{batch[-1]}: {counts['fellows']} fellows so far")
    counts["units"] = len(missing)
    return counts
