"""recon: spreadsheet-first data entry and reconciliation for the Migration Initiatives funding appeal."""

__version__ = "0.1.0"
TEMPLATE_VERSION = "2015.1"
