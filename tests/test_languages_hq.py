"""HQ's pages in French and Spanish (issue 19): the board, the sign-in page, a region's live reconciliation,
the changes page and the freeze notice say every word through recon's gettext catalogue.

How "no English UI string remains" is decided, page by page, without hand-picked words: the site runs with
the real French/Spanish catalogue wrapped so that every string gettext returns is bracketed ⟦…⟧ and its msgid
recorded. Then (1) once the bracketed parts and the page's data (office, region, area and file names,
rule codes, locations, figures) are taken out, no word may remain — a word left is a UI string that did not
go through gettext; (2) no English msgid recorded while rendering the page (where its translation differs)
appears in the page."""

from __future__ import annotations

import html.parser
import re

import fixtures as fx
import pytest
from web_site import HQ_NAME, REGION, build, csrf, upload

import recon.language as language
import recon.web.app as web_app
from recon.appeal.vocabulary import load

OPEN, CLOSE = "⟦", "⟧"
ERRORS = [{"area": "Migration Health"}, {"area": "Migrant Assistance", "amount": -5}]


class Marked:
    """A catalogue whose every answer is bracketed, and which remembers the msgids asked of it."""

    def __init__(self, real, seen: set):
        self.real, self.seen = real, seen

    def gettext(self, msgid):
        self.seen.add(msgid)
        return OPEN + self.real.gettext(msgid) + CLOSE

    def ngettext(self, singular, plural, count):
        self.seen.add((singular, plural))
        return OPEN + self.real.ngettext(singular, plural, count) + CLOSE

    def pgettext(self, context, msgid):
        return self.gettext(msgid)

    def npgettext(self, context, singular, plural, count):
        return self.ngettext(singular, plural, count)


class Visible(html.parser.HTMLParser):
    """The text a reader sees: text nodes (an SVG's <title> tooltip included) outside <style> and <script>."""

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def visible(page: str) -> str:
    p = Visible()
    p.feed(page)
    return "\n".join(p.texts)


def data_words() -> list[str]:
    """What a page shows that is data, not UI: names as the archive and the workbooks give them."""
    vocab = load()
    names = [*vocab.areas.names, *vocab.regions, REGION, "Kenya", "Uganda", HQ_NAME, "kenya.xlsx", "kenya-fix.xlsx",
             "report.html", "report.xlsx", "report.json", "report.md", "recon", "USD", "UTC", "SHA-256",
             *language.NAMES.values(), "Regional Programmes", "Funded", "Requirement"]
    return sorted(set(names), key=len, reverse=True)


def leftover_words(page: str, data: tuple[str, ...] = ()) -> list[str]:
    """Words outside ⟦…⟧ that are not data (the site's names, and ``data``): UI text that skipped gettext."""
    text = visible(page)
    while True:  # innermost first: a Text's parameter may itself be bracketed
        shorter = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        if shorter == text:
            break
        text = shorter
    return [w for w in re.findall(r"[^\W\d_]{2,}", without_data(text, data))]


def without_data(text: str, data: tuple[str, ...] = ()) -> str:
    """``text`` without locations (``x.xlsx › Entries › C2``), rule codes, hashes and the names in ``data``
    and :func:`data_words`."""
    text = re.sub(r"\S+(?: › \S+)+|[A-Z][A-Z0-9]+(-[A-Z0-9]+)+|\b[0-9a-f]{12,64}\b", " ", text)
    for word in sorted([*data, *data_words()], key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def english_left(page: str, seen: set, lang: str, catalogue, data: tuple[str, ...] = ()) -> list[str]:
    """Recorded English msgids (their literal parts) that show in the page although the catalogue says
    them otherwise."""
    text = without_data(visible(page), data)
    real = catalogue(lang)
    left = []
    for msgid in seen:
        english = msgid if isinstance(msgid, str) else msgid[1]
        said = real.gettext(msgid) if isinstance(msgid, str) else real.ngettext(msgid[0], msgid[1], 2)
        if said == english:
            continue
        chunks = [c.strip(" .,:;()%") for c in re.split(r"%\(\w+\)s|\{[^}]*\}|<[^>]+>|%%", english)]
        for chunk in chunks:
            if sum(ch.isalpha() for ch in chunk) >= 3 and re.search(rf"(?<!\w){re.escape(chunk)}(?!\w)", text) \
                    and chunk not in said:
                left.append(chunk)
    return sorted(set(left))


@pytest.fixture(scope="module")
def hq_site(tmp_path_factory, checker):
    """A site whose French and Spanish catalogues are bracketed: Kenya has two accepted uploads (one with
    errors), a budget revision was frozen and the board was left with the freeze's notice."""
    tmp = tmp_path_factory.mktemp("hq")
    seen: set = set()
    real = language.translations

    def marked(lang):
        return real(lang) if lang == language.DEFAULT else Marked(real(lang), seen)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(language, "translations", marked)
        mp.setattr(web_app, "translations", marked)
        site = build(tmp, checker)
        kenya = site.office_client(site.kenya_token)
        assert upload(kenya, site.kenya, fx.clean_country(tmp, "kenya", ERRORS)).status_code == 303
        assert upload(kenya, site.kenya, fx.clean_country(tmp, "kenya-fix")).status_code == 303
        hq = site.hq_client()
        r = hq.post("/hq/freeze", data={"csrf_token": csrf(hq, "/hq")})
        assert r.status_code == 303, r.text
        yield site, hq, seen, real


PAGES = {
    "board": lambda site: "/hq",
    "region": lambda site: f"/hq/regions/{REGION}",
    "changes": lambda site: f"/offices/{site.kenya.id}/changes?old=1&new=2",
}


@pytest.mark.parametrize("lang", ["fr", "es"])
@pytest.mark.parametrize("name", list(PAGES))
def test_hq_page_says_every_word_in_the_language(hq_site, name, lang):
    site, hq, seen, real = hq_site
    seen.clear()
    r = hq.get(PAGES[name](site), params={"lang": lang})
    assert r.status_code == 200, r.text
    assert f'<html lang="{lang}">' in r.text
    assert len(seen) > 10, seen  # the page did go through the catalogue
    assert leftover_words(r.text) == [], name
    assert english_left(r.text, seen, lang, real) == [], name


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_freeze_notice_and_sign_in_page_in_the_language(hq_site, lang, checker, tmp_path):
    site, hq, seen, real = hq_site
    r = hq.post("/hq/freeze", data={"csrf_token": csrf(hq, "/hq")})  # nothing new: a notice, said in the page's language
    assert r.status_code == 303
    seen.clear()
    board = hq.get("/hq", params={"lang": lang}).text
    notice = re.search(r'<p class="notice" role="status">(.*?)</p>', board, re.S).group(1)
    assert notice.startswith(OPEN) and leftover_words(board) == []
    assert ("rien de nouveau" if lang == "fr" else "nada nuevo") in notice.lower()

    anonymous = site.client()
    seen.clear()
    page = anonymous.get("/login", params={"lang": lang}).text
    assert leftover_words(page) == [] and english_left(page, seen, lang, real) == []
    wrong = anonymous.post("/login", data={"name": HQ_NAME, "password": "nope",
                                           "csrf_token": csrf(anonymous, "/login")})
    assert wrong.status_code == 401 and leftover_words(wrong.text) == []
    assert english_left(wrong.text, seen, lang, real) == []


def test_the_marking_catches_an_english_word_left_in_a_page():
    """The check itself: a word outside the brackets that is not data is reported."""
    page = f"<html><body><h1>{OPEN}Tous les bureaux{CLOSE}</h1><p>Kenya · Latest</p></body></html>"
    assert leftover_words(page) == ["Latest"]
