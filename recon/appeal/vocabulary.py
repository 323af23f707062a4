"""The appeal's vocabulary: regions, their countries, programmatic areas, target populations.

The lists live in ``recon/data/*.json`` (data, not code). Lookups go through :func:`name_key`, which folds
the differences a PDF or a keyboard introduces without changing meaning (case, spaces, U+2010 hyphens,
curly apostrophes, zero-width characters), so ``"Regional programmes "`` finds ``"Regional Programmes"``.

>>> vocab = load()
>>> vocab.resolve_area("Emergency, Operations and Post\u2010crisis").name
'Operations, Emergencies and Post-crisis'
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

REGIONAL_PROGRAMMES = "Regional Programmes"
GLOBAL = "Global"

# Characters that render as a hyphen or an apostrophe; PDFs and Word use them interchangeably.
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\u00ad"), "-")
_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u2032\u00b4`"), "'")
# Cyrillic and Greek letters that look Latin: "Kеnya" with a Cyrillic е must still find Kenya (and be reported).
_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХІЈЅаеорсуухіјѕԁӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικν",
    "ABEKMHOPCTXIJSaeopcyyxijsdlABEZHIKMNOPTYXoikv",
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"\s+")
MISSPELLING_CUTOFF = 0.9  # difflib ratio; "yugsolav…" vs "yugoslav…" ≈ 0.97, "niger" vs "nigeria" ≈ 0.83


def clean_text(value: str) -> str:
    """Strip invisible characters and fold runs of white space (incl. NBSP): ``' Kenya\\u00a0 '`` → ``'Kenya'``."""
    value = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return _SPACES.sub(" ", value).strip()


def name_key(value: str) -> str:
    """A comparison key: ``"Côte d’Ivoire"`` and ``"côte d'ivoire "`` share one key."""
    return clean_text(value).translate(_HYPHENS).translate(_APOSTROPHES).translate(_LOOKALIKES).casefold()


@dataclass(frozen=True)
class Match:
    """How a printed name matched: ``kind`` is ``canonical`` (exactly), ``variant`` (a listed variant or a
    difference of case, spacing, hyphen shape), ``misspelt`` (a near-certain typo) or ``unknown``."""

    printed: str
    name: str | None
    kind: str
    suggestion: str | None = None


@dataclass
class NameList:
    """Canonical names with their variants, e.g. the countries of one region, as a workbook in one language
    writes them: ``shown`` maps a canonical name to the name to write in that language (``"Cameroon"`` →
    ``"Cameroun"`` in French; itself when absent), ``other`` the names of the other languages to the canonical
    name (found exactly, never by misspelling, and reported as variants: a French workbook writing "Cameroon"
    reconciles, and is told to write "Cameroun")."""

    names: list[str]
    variants: dict[str, str] = field(default_factory=dict)  # variant → canonical
    shown: dict[str, str] = field(default_factory=dict)  # canonical → name in this list's language
    other: dict[str, str] = field(default_factory=dict)  # name in another language → canonical
    # The canonical (English) names are the organization's own: written exactly so, they are canonical in a
    # workbook of any language — a French office may keep "Cameroon".

    def __post_init__(self) -> None:
        self._by_key = {name_key(self.shown.get(n, n)): n for n in self.names}
        self._by_key.update({name_key(v): c for v, c in self.variants.items()})
        self._other = {k: c for v, c in self.other.items() if (k := name_key(v)) not in self._by_key}

    def show(self, name: str) -> str:
        """The name to write in this list's language: ``show("Cameroon")`` → ``"Cameroun"`` (French)."""
        return self.shown.get(name, name)

    @property
    def shown_names(self) -> list[str]:
        return [self.show(n) for n in self.names]

    @property
    def accepted_names(self) -> list[str]:
        """Names written exactly so need no change: this language's, then the canonical ones that differ."""
        return [*self.shown_names, *(n for n in self.names if self.show(n) != n)]

    def write_as(self) -> dict[str, str]:
        """Every other way of writing a name (listed variants, other languages) → the name to write."""
        out = {v: self.show(c) for v, c in self.variants.items()}
        out.update({v: self.show(c) for v, c in self.other.items() if name_key(v) in self._other and v != c})
        return out

    def resolve(self, printed: str, *, fallback: NameList | None = None) -> Match:
        """``resolve("Cameroun")`` → ``Match("Cameroun", "Cameroon", "variant")``."""
        key = name_key(printed)
        name = self._by_key.get(key) or self._other.get(key)
        if name is not None:
            shown = self.show(name)
            return Match(printed, name, "canonical" if printed in (shown, name) else "variant", shown)
        if fallback is not None and (hit := fallback._by_key.get(key) or fallback._other.get(key)):
            # Known elsewhere (e.g. a country of another region): keep it, but it is not this list's.
            return Match(printed, None, "unknown", fallback.show(hit))
        keys = list(self._by_key)
        # A near-certain misspelling ("Yugsolav") is resolved, so one typo does not cascade into table gaps;
        # it is still reported as a name that differs from the canonical list.
        if close := difflib.get_close_matches(key, keys, n=1, cutoff=MISSPELLING_CUTOFF):
            return Match(printed, self._by_key[close[0]], "misspelt", self.show(self._by_key[close[0]]))
        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
        # "Kenya Republic" contains "kenya": worth suggesting even though the whole strings differ.
        inside = [k for k in keys if len(k) >= 4 and (k in key or key in k)]
        hint = close[0] if close else (max(inside, key=len) if inside else None)
        return Match(printed, None, "unknown", self.show(self._by_key[hint]) if hint else None)

    def __contains__(self, name: str) -> bool:
        return name in self._by_key.values()


@dataclass
class Region:
    name: str
    printed: list[str]
    countries: NameList
    has_summary: bool = True
    names: dict[str, str] = field(default_factory=dict)  # language → the region's name in it (not English)

    def show(self, lang: str) -> str:
        """``show("fr")`` → ``"Afrique de l'Ouest et du Centre"``."""
        return self.names.get(lang, self.name)


@dataclass
class Vocabulary:
    regions: dict[str, Region]
    areas: NameList
    populations: list[str]
    all_countries: NameList
    lang: str = "en"
    # (region or None, printed) → Match: a thousand workbooks print the same few names (and the same
    # misspellings, whose difflib search is the expensive part).
    _matches: dict = field(default_factory=dict, repr=False, compare=False)

    def region(self, printed: str) -> Region | None:
        key = name_key(printed)
        for region in self.regions.values():
            if key in {name_key(region.name), *map(name_key, region.printed), *map(name_key, region.names.values())}:
                return region
        return None

    def resolve_country(self, region: str, printed: str) -> Match:
        key = (region, printed)
        if (hit := self._matches.get(key)) is None:
            found = self.regions.get(region)
            hit = self._matches[key] = self.all_countries.resolve(printed) if found is None else \
                found.countries.resolve(printed, fallback=self.all_countries)
        return hit

    def resolve_area(self, printed: str) -> Match:
        key = (None, printed)
        if (hit := self._matches.get(key)) is None:
            hit = self._matches[key] = self.areas.resolve(printed)
        return hit

    def region_country_pairs(self) -> list[str]:
        """``["East and Horn of Africa › Kenya", ...]``: the set the entries rules check against."""
        return [region_country(r.name, c) for r in self.regions.values() for c in r.countries.names]


def region_country(region: str, country: str) -> str:
    return f"{region} › {country}"


def _read(name: str) -> dict:
    return json.loads(resources.files("recon.data").joinpath(name).read_text(encoding="utf-8"))


def _namelist(items: list[dict], lang: str) -> NameList:
    """The names of ``items`` as a workbook in ``lang`` writes them (see :class:`NameList`)."""
    others = [code for code in LANGUAGES if code != lang]
    return NameList(
        [item["name"] for item in items],
        {v: item["name"] for item in items for v in item.get("variants", [])},
        shown={item["name"]: item[lang] for item in items if lang != "en" and item.get(lang)},
        other={(item[code] if code != "en" else item["name"]): item["name"] for item in items for code in others
               if code == "en" or item.get(code)},
    )


LANGUAGES = ("en", "fr", "es")  # recon.workbook.words.LANGUAGES (the appeal wing does not import the workbook's)


@cache
def load(lang: str = "en") -> Vocabulary:
    """The vocabulary shipped with recon, as a workbook in ``lang`` writes its names (cached: it never changes
    during a run). Canonical names are the English ones whatever ``lang``."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    data = _read("regions.json")
    regional = data.get("regional_programmes", {"name": REGIONAL_PROGRAMMES})
    regions = {}
    every = []
    for item in data["regions"]:
        countries = [{**regional, "variants": []}, *item["countries"]]
        regions[item["name"]] = Region(
            item["name"], item.get("printed", []), _namelist(countries, lang), item.get("has_summary", True),
            {code: item[code] for code in LANGUAGES if code != "en" and item.get(code)},
        )
        every.extend(countries)
    populations = _read("populations.json")
    return Vocabulary(
        regions=regions,
        areas=_namelist(_read("areas.json")["areas"], lang),
        populations=populations["populations"] if lang == "en" else populations[lang],
        all_countries=_namelist(every, lang),
        lang=lang,
    )
