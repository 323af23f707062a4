"""Where things live in a recon workbook: the contract between the template writer and the reader.

The reader finds columns by header text (any alias below, case- and space-insensitive) rather than by
position, so a header moved, renamed to an alias or pushed down by inserted rows is still found.
"""

from __future__ import annotations

ENTRIES = "Entries"
SUMMARY = "Summary"
INSTRUCTIONS = "Instructions"
META = "_meta"
LISTS = "_lists"
FINDINGS = "Findings"

STATUS_REQUIREMENT = "Requirement"
STATUS_FUNDED = "Funded"
STATUSES = (STATUS_REQUIREMENT, STATUS_FUNDED)
YES = "Yes"

# field → (header written by the template, other accepted headers incl. French and Spanish), width in characters:
# wide enough for the longest name of the lists ("UNSC resolution 1244-administered Kosovo") and, with the header
# row wrapped on two lines, for each header ("Funding requirement / (USD)", "Intentional / duplicate").
ENTRY_COLUMNS: dict[str, tuple[str, tuple[str, ...], int]] = {
    "country": ("Country", ("Pays", "País", "Country name"), 40),
    "area": ("Programmatic area", ("Area", "Domaine programmatique", "Área programática"), 40),
    "amount": ("Funding requirement (USD)", ("Funding requirement (in USD)", "Amount (USD)", "Amount",
                                             "Besoin de financement (USD)", "Requerimiento (USD)"), 22),
    "status": ("Status", ("Statut", "Estado"), 14),
    "populations": ("Target populations", ("Populations cibles", "Poblaciones destinatarias"), 40),
    "source": ("Source", ("Reference",), 22),
    "notes": ("Notes", ("Comments", "Remarques", "Notas"), 50),
    "duplicate_ok": ("Intentional duplicate", ("Duplicate OK",), 13),
}
REQUIRED_ENTRY_FIELDS = ("country", "area", "amount")
TABLE_NAME = "EntriesTable"

# Summary sheet: three tables found by the label in their first header cell.
COUNTRY_TABLE_LABEL = "Country"
AREA_TABLE_LABEL = "Programmatic area"
TOTAL_LABEL = "Total funding requirement"
# Columns of the summary tables, left to right. Published values are typed by the office; the others are
# formulas recon writes so that Excel shows mismatches without Python.
COUNTRY_TABLE_HEADERS = ("Country", "Published USD", "", "Computed from Entries", "Difference", "Check")
AREA_TABLE_HEADERS = ("Programmatic area", "Published USD", "Published pie %", "Computed from Entries",
                      "Difference", "Check", "Pie % expected", "Pie check", "Pie % as read")
CHECK_OK = "OK"

META_KEYS = ("template_version", "edition_year", "region", "country", "revision", "office", "created_by")
