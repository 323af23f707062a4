"""The Entries sheet's live **Check** column: the entry rules recon runs, as spreadsheet formulas, so an office
without Python sees each problem on its row as it types — in every workbook, regional or country office.

Each problem is a short phrase naming the reason, joined by "; " (``"TEXT AMOUNT; DUPLICATE"``); a filled row
with none shows ``OK``. The phrases and the recon rules they stand for (tests/test_workbook_live_checks.py
holds them to agreement, recalculated by LibreOffice):

=====================================  ========================================================
check phrase                           recon
=====================================  ========================================================
TEXT AMOUNT                            READ-AMOUNT-TEXT / READ-AMOUNT-UNREADABLE
FUNDED TYPED AS AMOUNT                 READ-FUNDED-IN-AMOUNT
FUNDED WITH AMOUNT                     ENTRY-FUNDED-WITH-AMOUNT
NO AMOUNT                              ENTRY-AMOUNT-MISSING
NEGATIVE AMOUNT / NOT WHOLE USD        ENTRY-AMOUNT-NEGATIVE / ENTRY-AMOUNT-WHOLE
STATUS?                                ENTRY-STATUS-UNKNOWN
COUNTRY NOT IN LIST / AREA NOT IN LIST ENTRY-COUNTRY-UNKNOWN / ENTRY-AREA-UNKNOWN (or a misspelling recon resolves)
WRITE 'Cameroon'                       ENTRY-COUNTRY-VARIANT / ENTRY-AREA-VARIANT (a listed variant or case)
DUPLICATE                              ENTRY-DUPLICATE (same country and area, no 'Intentional duplicate')
=====================================  ========================================================

The country and area lists compared against are on the hidden ``_lists`` sheet (the region's countries,
the areas and their known printed variants), so Excel reads a variant as recon does and says which
canonical name to write.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.workbook import words as W

CHECK_HEADER = W.words("en").check_header  # in English; a template in another language: words(lang).check_header
CHECK_ROWS = 500  # rows below the header that carry the check formula, at least (all pre-filled rows too)


@dataclass(frozen=True)
class Lists:
    """Where the check reads its lists on ``_lists``: absolute ranges such as ``'_lists'!$E$2:$E$12``."""

    countries: str
    country_variants: str
    country_canonical: str
    areas: str
    area_variants: str
    area_canonical: str


def _name_check(cell: str, names: str, variants: str, canonical: str, unknown: str, write: str) -> str:
    """``""`` when ``cell`` is a canonical name exactly; ``"; WRITE 'X'"`` for a variant (other case or
    spacing, or a listed variant); ``unknown`` otherwise."""
    t = f"TRIM({cell})"
    return (f'IF(SUMPRODUCT(--EXACT({names},{t}))>0,"",IF(COUNTIF({names},{t})>0,'
            f'"; {write} \'"&INDEX({names},MATCH({t},{names},0))&"\'",IF(COUNTIF({variants},{t})>0,'
            f'"; {write} \'"&INDEX({canonical},MATCH({t},{variants},0))&"\'","; {unknown}")))')


def _one_of(expr: str, values) -> str:
    """``OR(x="funded",x="financé")``."""
    tests = ",".join(f'{expr}="{v}"' for v in values)
    return f"OR({tests})"


def entry_check(r: int, col: dict[str, str], lists: Lists, country_office: bool, last_row: int,
                found_col: str, lang: str = "en", first_row: int = 2) -> tuple[str, str]:
    """(Check formula, helper formula) of Entries row ``r``: the hidden helper in ``found_col`` gathers the
    phrases ("; TEXT AMOUNT; DUPLICATE"), the Check cell shows them or OK — in the workbook's language
    (``lang``). Status and yes words of every language are understood, as recon reads them. ``col`` maps entry
    fields to column letters; data rows are ``first_row`` to ``last_row``."""
    w, every = W.words(lang), W.any_language()
    say = w.check
    a, b, c, d, h = (f"${col[f]}{r}" for f in ("country", "area", "amount", "status", "duplicate_ok"))
    first, last = col["country"], col["duplicate_ok"]
    status = f"LOWER(TRIM({d}&\"\"))"
    funded = _one_of(status, sorted(every.funded))
    requirement = _one_of(status, sorted(every.requirement))
    amount_text = f"LOWER(TRIM({c}&\"\"))"
    country = ('""' if country_office else f'"; {say("country_missing")}"')
    rng = {f: f"${col[f]}${first_row}:${col[f]}${last_row}" for f in ("country", "area", "duplicate_ok")}
    not_yes = "".join(f',LOWER(TRIM({h}&""))<>"{v}"' for v in sorted(every.yes))
    # COUNTIFS criteria are ANDed: rows whose duplicate cell is none of the yes words.
    others_not_yes = "".join(f',{rng["duplicate_ok"]},"<>{v}"' for v in sorted(every.yes))
    parts = [
        f'IF(AND(ISTEXT({c}),{amount_text}<>""),IF({_one_of(amount_text, sorted(every.funded_amount))},'
        f'"; {say("funded_typed_as_amount")}","; {say("text_amount")}"),"")',
        f'IF(AND({funded},ISNUMBER({c})),"; {say("funded_with_amount")}","")',
        f'IF(AND({requirement},{amount_text}=""),"; {say("no_amount")}","")',
        f'IF(ISNUMBER({c}),IF({c}<0,"; {say("negative_amount")}","")&IF({c}<>INT({c}),"; {say("not_whole_usd")}",""),"")',
        f'IF(OR({funded},{requirement}),"","; {say("status_unknown")}")',
        f'IF(TRIM({a}&"")="",{country},'
        + _name_check(a, lists.countries, lists.country_variants, lists.country_canonical,
                      say("country_not_in_list"), say("write"))
        + ")",
        f'IF(TRIM({b}&"")="","",'
        + _name_check(b, lists.areas, lists.area_variants, lists.area_canonical, say("area_not_in_list"),
                      say("write")) + ")",
        f'IF(AND(TRIM({b}&"")<>""{not_yes},COUNTIFS({rng["country"]},{a}&"",{rng["area"]},{b}&""'
        f'{others_not_yes})>1),"; {say("duplicate")}","")',
    ]
    found = f"${found_col}{r}"
    return (f'=IF(COUNTA(${first}{r}:${last}{r})=0,"",IF({found}="","{say("ok")}",MID({found},3,500)))',
            "=" + "&".join(parts))
