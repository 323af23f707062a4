"""Workbooks in English, French and Spanish: one catalogue of workbook words (recon/workbook/words.py), the
template in each language, columns found by HXL hashtag or by header text in any language, and names in any
of the three languages mapped to the same canonical entity (issue 16 item 2, issue 19 items 1, 2, 4, 6)."""

import copy

import fixtures as fx

from recon import pipeline


def flat(findings) -> list[tuple]:
    return sorted((f.rule, f.severity, f.location or "") for f in findings)


def test_financé_and_financiado_in_the_status_column_mean_funded_as_in_the_amount_column(tmp_path):
    """Regression: "Financé"/"financiado" were funded words in the Amount column (amounts.py) but gave
    ENTRY-STATUS-UNKNOWN in the Status column (read.py): the two lists of words disagreed."""
    rows = copy.deepcopy(fx.KENYA_ENTRIES)
    rows[2]["status"] = "Financé"
    french = fx.clean_country(tmp_path, "kenya-financé", rows=rows)
    rows[2]["status"] = "financiado"
    spanish = fx.clean_country(tmp_path, "kenya-financiado", rows=rows)
    english = fx.clean_country(tmp_path, "kenya-funded")
    for path in (french, spanish):
        result = pipeline.run([path])
        assert flat(result.findings) == [], path.name
        assert result.reconciliation.entries["status"].astype(str).tolist() == \
            pipeline.run([english]).reconciliation.entries["status"].astype(str).tolist()
