"""The workbook: what offices fill and what recon reads back from it."""
