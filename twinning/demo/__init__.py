"""Curated demo content for `manage.py seed_demo`, written in the programme's own voice.

Layout (edit the text files freely; slugs are the keys, so a changed slug is a new row):

    data/topics.toml, rounds.toml, organizations.toml, pairings.toml, fellows.toml,
    keywords.toml            tables of rows, one `[[name]]` block each
    stories/<slug>.md        one story: TOML front matter between `+++` lines, Markdown body
    events/<slug>.md         one event: front matter (times, place, speakers), Markdown body;
                             upcoming events use relative times such as "+21 days 14:00"
    content.py               reads those files
    images.py                draws portraits, logos, covers and report PDFs (Pillow only)
    loaders.py               one loader per app, idempotent
    scale.py                 `--scale N` volume data for benchmarks (Faker, bulk inserts)

Names and facts from the programme's own pages are real (Florence Nick, Katiuscia Eroe,
Legambiente, CANGO, the C20 workshop in Hamburg, the 2016 report…); everything else is
invented for the demo. Video and meeting links use the reserved `.example` domain.
"""
