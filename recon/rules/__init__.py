"""The rules: what recon asserts on a reconciliation, and Great Expectations behind one adapter.

- :mod:`recon.rules.suites` — the suites as written in ``expectations/`` (JSON), their version and the
  parameters the reconciliation maths takes from them; no pandas, no GX (a refused batch still names them);
- :mod:`recon.rules.gx` — the GX adapter, the only module that imports great_expectations: the suites loaded
  into GX once (:class:`~recon.rules.gx.Rules`), one frame validated against one suite;
- :mod:`recon.rules.findings` — the failing rows GX lists → Findings, in the words of each rule's templates.

A workbook's way through them, from :func:`recon.pipeline.run`: the suites are read (their parameters go to
the reconciliation), GX is readied while the workbooks are read, then each suite validates its frame and its
failing rows become findings.

Importing this package stays light: the names below are the suites'.

>>> load_suites().version                                             # doctest: +SKIP
'9a2a675e7c23'
"""

from recon.rules.suites import (
    SUITES,
    Suites,
    default_dir,
    load_suites,
    named_columns,
    parameters,
    read_suites,
    rules_version,
    suite_columns,
)

__all__ = ["SUITES", "Suites", "default_dir", "load_suites", "named_columns", "parameters", "read_suites",
           "rules_version", "suite_columns"]
