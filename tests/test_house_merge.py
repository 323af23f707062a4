"""h16house merged into a main that speaks three languages: what each side kept must survive the other."""

from __future__ import annotations

import json

from recon import intake
from recon.appeal.finding import Finding
from recon.appeal.location import Location
from recon.language import said
from recon.workbook import annotate


def test_an_archived_finding_is_said_in_french_and_marks_its_cell():
    # An upload's findings are stored as JSON; the office's page says them in its language (texts) and its
    # annotated copy marks the cell (location parts). Storing one without the other loses a feature.
    f = Finding("ENTRY-AMOUNT-NEGATIVE", "error", "East and Horn of Africa", "Kenya",
                location=Location("k › 2015.xlsx", "Entries", "C2"),
                message=said("negative amount {amount:usd}", amount=-5000.0),
                suggestion=said("enter the requirement as a positive number of USD"))
    (back,) = intake.as_findings([json.loads(json.dumps(intake.stored(f), ensure_ascii=False))])
    assert back.said_in("fr") == ("montant négatif -5\u202f000", "saisissez le besoin en nombre positif d'USD")
    assert annotate.cell_of(back.location) == ("Entries", "C2")
    assert back.where == "k › 2015.xlsx › Entries › C2"
