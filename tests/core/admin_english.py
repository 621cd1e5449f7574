"""Finds English left in a Chinese admin page: the visible text and the
words read aloud (aria-label, title, placeholder), without scripts, styles,
code blocks and our own data.  Used by ``test_admin_words_catalogue``."""

import re
import zoneinfo
from html.parser import HTMLParser

#: Latin words allowed in a Chinese page: names of formats, products and
#: abbreviations people use as they are.
ALLOWED = {
    "csv",
    "xlsx",
    "pdf",
    "qr",
    "url",
    "ip",
    "id",
    "ok",
    "wagtail",
    "email",
    "svg",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "mp4",
    "html",
    "api",
    "utc",
    "am",
    "pm",
    "vs",
    "v",
    "lms",
    "english",
    "localhost",
    "avi",
    "mov",
    "webm",
}
#: A code, not a word: holds a digit, an underscore or a dot inside, or is
#: lower case joined by hyphens ("tier-1", "courses.lessonpage",
#: "Eastwind_grid_worker", "east-pool").
CODE = re.compile(r"\S*(?:\d|_|\w\.\w)\S*|\b[a-z]+(?:-[a-z]+)+\b")
READ_ALOUD = ("aria-label", "title", "placeholder", "alt")
SKIPPED = {"script", "style", "code", "pre", "template", "noscript", "svg"}
#: English words, alone or in a row ("Root", "Sort by … in ascending
#: order"); the caller leaves out its own data (usernames, codes).
PHRASE = re.compile(r"[A-Za-z][A-Za-z'’]{2,}(?:[ \-][A-Za-z][A-Za-z'’]*)*")
TIME_ZONES = zoneinfo.available_timezones()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skip += 1
        for name, value in attrs:
            if name in READ_ALOUD and value:
                self.parts.append(value)

    def handle_startendtag(self, tag, attrs):
        for name, value in attrs:
            if name in READ_ALOUD and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_phrases(html: str, *, data: set[str] = frozenset()) -> set[str]:
    """English phrases in ``html``'s text, leaving out ``data`` (the
    fixture's own Latin strings: usernames, codes)."""
    parser = _Text()
    parser.feed(html)
    found = set()
    for part in parser.parts:
        if part.strip() in TIME_ZONES:
            continue
        text = CODE.sub(" ", part)
        for word in sorted(data, key=len, reverse=True):
            text = text.replace(word, " ")
        for match in PHRASE.finditer(text):
            phrase = match.group(0)
            words = [w.lower() for w in re.split(r"[ \-]", phrase) if w]
            if all(w in ALLOWED for w in words):
                continue
            found.add(phrase)
    return found
