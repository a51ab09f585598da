"""Reading a response the way a visitor does: its text, its links, its forms.

Built on the standard library's html.parser, so tests assert on what a page shows rather
than on template internals or exact markup.
"""

import re
from html.parser import HTMLParser


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text_parts: list[str] = []
        self.links: list[str] = []
        self.images: list[dict] = []
        self.inline_scripts: list[str] = []
        self.style_attributes: list[tuple[str, str]] = []
        self.style_elements = 0
        self.event_handler_attributes: list[tuple[str, str]] = []
        self.stylesheets: list[str] = []
        self.script_sources: list[str] = []
        self.html_lang: str | None = None
        self.title = ""
        self._skip_depth = 0  # inside <script> or <style>: not visible text
        self._in_title = False
        self._script_has_src = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.style_attributes.append((tag, value or ""))
            if name.startswith("on"):
                self.event_handler_attributes.append((tag, name))
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "a" and attributes.get("href") is not None:
            self.links.append(attributes["href"])
        elif tag == "img":
            self.images.append(attributes)
            if attributes.get("alt"):
                self.text_parts.append(f" {attributes['alt']} ")
        elif tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.stylesheets.append(attributes.get("href") or "")
        elif tag == "title":
            self._in_title = True
        elif tag == "script":
            self._skip_depth += 1
            self._script_has_src = bool(attributes.get("src"))
            if self._script_has_src:
                self.script_sources.append(attributes["src"])
            if not self._script_has_src and attributes.get("type") not in (
                "application/json",
                "application/ld+json",
            ):
                self.inline_scripts.append("")
        elif tag == "style":
            self._skip_depth += 1
            self.style_elements += 1
        if tag in {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "td", "th", "option"}:
            self.text_parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "title":
            self._in_title = False
        self.text_parts.append(" ")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._skip_depth:
            if not self._script_has_src and self.inline_scripts:
                self.inline_scripts[-1] += data
            return
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text_parts)).strip()


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def text(response) -> str:
    """The page's visible text (and image alt texts), whitespace collapsed."""
    return parse(response).text


def links(response) -> set[str]:
    return set(parse(response).links)


def has_link(response, url: str) -> bool:
    """True when some <a href> points at `url` (ignoring a query string or fragment)."""
    return any(
        href == url or href.split("#")[0].split("?")[0] == url for href in parse(response).links
    )
