"""recon: spreadsheet-first data entry and reconciliation for the Migration Initiatives funding appeal."""

__version__ = "0.1.0"
# 2015.2: an HXL hashtag row under the Entries and Summary headers, and the template in English, French or
# Spanish (_meta records the language). 2015.1, the bundled 2015 edition's shape, is read exactly as before.
TEMPLATE_VERSION = "2015.2"
PREVIOUS_TEMPLATE_VERSION = "2015.1"
# Versions read exactly as made (no READ-TEMPLATE-VERSION): their columns and tables are found the same way.
READABLE_TEMPLATE_VERSIONS = (TEMPLATE_VERSION, PREVIOUS_TEMPLATE_VERSION)
