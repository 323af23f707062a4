"""Where the folders recon ships with live: the rule suites and the bundled 2015 edition.

``expectations/`` and ``workbooks/mi2015/`` stay at the top of the repository, the source of truth, edited
there. A wheel carries copies inside the package (``setup.py`` copies them at build time, ``MANIFEST.in``
puts them in the sdist), so an installed recon finds them without a checkout:

>>> shipped("expectations")                                   # doctest: +SKIP
PosixPath('/opt/venv/lib/python3.11/site-packages/recon/expectations')     # installed from a wheel
PosixPath('/home/ana/recon/expectations')                                  # a checkout (editable install)
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped(folder: str) -> Path | None:
    """The installed copy of ``folder`` (e.g. ``"workbooks/mi2015"``), else the checkout's; None if neither."""
    for candidate in (PACKAGE / folder, PACKAGE.parent / folder):
        if candidate.is_dir():
            return candidate
    return None
