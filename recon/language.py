"""Languages: what recon says, in English, French or Spanish, through gettext catalogues managed with Babel.

The English text is the msgid: a finding's message is built once, in English, as a :class:`Text` — a ``str``
whose value is the English rendering, so every existing output (JSON, terminal, reports) is unchanged — that
also remembers its template and parameters and can therefore be said again in another language.

>>> t = said("amount {shown} is not a number", shown="'12a'")
>>> t, t.msgid, t.params
("amount '12a' is not a number", 'amount {shown} is not a number', {'shown': "'12a'"})
>>> in_language(t, "fr")
"le montant '12a' n'est pas un nombre"
>>> n(2, "{count:,} workbook", "{count:,} workbooks"), in_language(n(2, "{count:,} workbook", "{count:,} workbooks"), "es")
('2 workbooks', '2 libros')

Catalogues: ``recon/locale/<lang>/LC_MESSAGES/recon.po`` (the sources, in the repository and in the wheel),
read with :mod:`babel.messages.pofile` and compiled in memory on first use — no build step, no ``.mo`` to keep
in step. ``babel.cfg`` tells ``pybabel extract`` where the msgids are: this package's ``said``/``n``/``N_``
calls, the web templates' ``{% trans %}`` and the rule suites' message templates (:func:`extract_suites`).
A fourth language (say Portuguese): add ``"pt"`` to :data:`LANGUAGES` and its name to :data:`NAMES`, run
``pybabel init -i recon/locale/recon.pot -d recon/locale -D recon -l pt`` and translate
``recon/locale/pt/LC_MESSAGES/recon.po``; ``tests/test_languages.py`` then fails until every msgid is
translated. After changing a message, ``scripts/messages`` re-extracts the msgids and updates every ``.po``.
"""

from __future__ import annotations

import gettext
import io
import json
import math
import re
import string
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr", "es")  # the first is the default and the language of the msgids
DEFAULT = LANGUAGES[0]
NAMES = {"en": "English", "fr": "Français", "es": "Español"}  # each language in its own words, for switches
DOMAIN = "recon"
LOCALE_DIR = Path(__file__).parent / "locale"


# The calls ``pybabel extract`` reads msgids from (scripts/messages passes the same as -k): name → the
# positions of the msgid (and plural) arguments; None: the first.
KEYWORDS = {"_": None, "N_": None, "said": None, "n": (2, 3), "gettext_in": (2,), "gettext": None,
            "ngettext": (1, 2)}


def N_(msgid: str) -> str:
    """Marks an English msgid for ``pybabel extract`` where it is translated later: returned unchanged."""
    return msgid


def language(code: str | None) -> str:
    """``"fr"`` → ``"fr"``, ``"FR-ca"`` → ``"fr"``, ``None``/``"de"`` → ``"en"``: one of :data:`LANGUAGES`."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT


def from_accept_language(header: str | None, default: str | None = DEFAULT) -> str | None:
    """The browser's preferred language among ours: ``"es-AR,es;q=0.9,en;q=0.8"`` → ``"es"``; ``default``
    when it names none of them (``"de"``, or no header)."""
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        code, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if language(code) == code.strip().lower().split("-")[0] and code.strip() and weight > 0:
            ranked.append((-weight, i, language(code)))
    return min(ranked)[2] if ranked else default


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English: the msgids themselves), compiled from its ``.po`` on first use.
    A fuzzy entry is not a translation (gettext falls back to the English)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    if lang == DEFAULT:
        return NullTranslations()
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of: {', '.join(LANGUAGES)}")
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext_in(lang: str, msgid: str) -> str:
    return translations(lang).gettext(msgid)


class Format(string.Formatter):
    """Message templates: ``{amount:usd}`` → ``1,200,000``, ``{share_pct:pct4}`` → ``2.7359``; blanks → —.
    In French or Spanish the same figures as a reader there writes them (:func:`number`):
    ``1 200 000`` / ``1.200.000``, ``2,7359``."""

    def __init__(self, lang: str = DEFAULT):
        self.lang = lang

    def format_field(self, value, spec):
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        if spec == "usd":
            return "—" if missing else number(value, self.lang)
        if spec == "int":
            return "0" if missing else f"{int(value)}"
        if spec in ("pct", "pct4"):
            if missing:
                return "—"
            text = f"{value:.4f}".rstrip("0").rstrip(".") if spec == "pct4" else f"{value:.6g}"
            return decimal_text(text, self.lang)
        if spec == "," and self.lang != DEFAULT and not missing and isinstance(value, int | float):
            return number(value, self.lang, decimals=0 if float(value).is_integer() else 2)
        return "—" if missing else super().format_field(value, spec)


FORMAT = Format()
FORMATS = {lang: Format(lang) for lang in LANGUAGES}


# --- numbers where a person reads them ------------------------------------------------------------------------
# Pages, reports and messages in French or Spanish write figures as readers there do (CLDR through Babel);
# English keeps recon's own "1,500,000". Machine outputs (JSON, CSV, HXL, report.json) never come here.

def number(value, lang: str = DEFAULT, decimals: int = 0) -> str:
    """``number(1500000, "fr")`` → ``"1 500 000"`` (narrow no-break spaces), ``"es"`` → ``"1.500.000"``,
    ``"en"`` → ``"1,500,000"``; None or NaN → ``"—"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if lang == DEFAULT or lang not in LANGUAGES:
        return f"{value:,.{decimals}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(value, decimals) if decimals else round(value), format=pattern, locale=lang)


def signed(value, lang: str = DEFAULT) -> str:
    """A change: ``signed(1000000, "es")`` → ``"+1.000.000"``, 0 → ``"0"``, None → ``"—"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value == 0:
        return "0"
    return ("+" if value > 0 else "-") + number(abs(value), lang)


def decimal_text(text: str | None, lang: str = DEFAULT) -> str:
    """A figure as printed, its decimals kept, with the language's decimal sign: ``("2.7", "fr")`` → ``"2,7"``;
    None → ``"—"``; text that is not a plain figure stays as it is."""
    if text is None:
        return "—"
    if lang == DEFAULT or lang not in LANGUAGES or not _PLAIN_FIGURE.match(text):
        return text
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(lang))


def percent(value, lang: str = DEFAULT, decimals: int = 1) -> str:
    """Percentage points as a reader writes a percentage: ``(2.74, "fr")`` → ``"2,7 %"``, ``"en"`` → ``"2.7%"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if lang == DEFAULT or lang not in LANGUAGES:
        return f"{value:.{decimals}f}%"
    from decimal import Decimal

    from babel.numbers import format_percent

    share = round(Decimal(str(value)), decimals) / 100
    return format_percent(share, locale=lang, decimal_quantization=False)


_PLAIN_FIGURE = re.compile(r"^[-+]?\d+(\.\d+)?$")


class Text(str):
    """English text that can be said in another language: the English rendering of ``msgid`` (a template,
    or a singular/plural pair with ``count``) with ``params``. A parameter may itself be a Text."""

    msgid: str | tuple[str, str]
    params: dict
    count: int | None

    def __new__(cls, msgid, params: dict, count: int | None = None, english: str | None = None):
        self = super().__new__(cls, english if english is not None else _render(msgid, params, count, DEFAULT))
        self.msgid, self.params, self.count = msgid, params, count
        return self

    def __reduce__(self):  # pickles (a forked helper sends findings back) as itself, not as a plain str
        return (Text, (self.msgid, self.params, self.count, str(self)))

    def said_in(self, lang: str) -> str:
        return str(self) if lang == DEFAULT else _render(self.msgid, self.params, self.count, lang)

    def to_json(self) -> dict:
        """Language-neutral: ``{"msgid": "negative amount {amount:usd}", "params": {"amount": -5.0}}``."""
        out = {"msgid": self.msgid if isinstance(self.msgid, str) else list(self.msgid),
               "params": {k: v.to_json() if isinstance(v, Text) else _plain(v) for k, v in self.params.items()}}
        if self.count is not None:
            out["count"] = self.count
        return out

    @classmethod
    def from_json(cls, data: dict, english: str | None = None) -> Text:
        params = {k: cls.from_json(v) if isinstance(v, dict) and "msgid" in v else v
                  for k, v in data.get("params", {}).items()}
        msgid = data["msgid"] if isinstance(data["msgid"], str) else tuple(data["msgid"])
        return cls(msgid, params, data.get("count"), english)


def _plain(v):
    if hasattr(v, "item"):  # a numpy scalar
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v if v is None or isinstance(v, str | int | float | bool) else str(v)


def _render(msgid, params: dict, count: int | None, lang: str) -> str:
    if lang == DEFAULT:
        template = msgid if isinstance(msgid, str) else msgid[0 if count == 1 else 1]
        values = params
    else:
        t = translations(lang)
        template = t.gettext(msgid) if isinstance(msgid, str) else t.ngettext(msgid[0], msgid[1], count)
        values = {k: v.said_in(lang) if isinstance(v, Text) else v for k, v in params.items()}
    fmt = FORMATS.get(lang, FORMAT)
    return fmt.format(template, count=count, **values) if count is not None else fmt.format(template, **values)


def said(msgid: str, **params) -> Text:
    """``said("negative amount {amount:usd}", amount=-5.0)`` → the Text ``"negative amount -5"``."""
    return Text(msgid, params)


def n(count: int, singular: str, plural: str, **params) -> Text:
    """A count in words, singular or plural as the language needs (gettext ``ngettext``):
    ``n(1, "{count:,} entry", "{count:,} entries")`` → ``"1 entry"``; in French ``"1 entrée"``."""
    return Text((singular, plural), params, int(count))


def in_language(text: str | None, lang: str) -> str | None:
    """``text`` said in ``lang``; text that is not a :class:`Text` (workbook words, names) as it is."""
    return text.said_in(lang) if isinstance(text, Text) else text


def extract_suites(fileobj, keywords, comment_tags, options):
    """``pybabel extract`` method for the rule suites (``expectations/*.json``): each expectation's ``meta``
    message templates are msgids (see ``babel.cfg``)."""
    data = json.load(fileobj)
    for exp in data.get("expectations", []):
        meta = exp.get("meta", {})
        for key in (*TEMPLATE_KEYS, "expected", "actual"):
            if meta.get(key) and (key in TEMPLATE_KEYS or _has_words(meta[key])):
                yield 0, None, meta[key], [f"{meta.get('rule', '?')} {key}"]


TEMPLATE_KEYS = ("message", "suggestion")  # the suite templates that are sentences


def _has_words(template: str) -> bool:
    """``"an amount in USD"``, ``"(blank)"`` → True; ``"{amount:usd}"``, ``"≤ 5,000,000,000"`` → False: only
    words are translated, a bare figure is only formatted."""
    return any(c.isalpha() for lit, *_ in string.Formatter().parse(template) for c in (lit or ""))
