"""``recon serve --demo``: the 2015 edition's offices, each with its bundled workbook as revision 1.

One office per workbook in ``workbooks/mi2015`` (the regional offices and Global), named by the workbook's
own ``_meta`` sheet. Run again on the same data folder, it adds nothing twice: it issues fresh links (the old
ones stop working) and a fresh HQ password, since neither can be read back from their hashes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from recon import intake, pipeline
from recon.workbook.read import read_workbook

HQ_USER = "hq"


@dataclass
class DemoOffice:
    key: str
    token: str
    revision: int | None  # the revision stored now, or None when the office already had revisions


def seed(archive, checker: intake.Checker, folder: Path | None = None, progress=None) -> tuple[list[DemoOffice], str]:
    """→ (the offices with their new link secrets, the HQ user's new password)."""
    out = []
    for path in pipeline.collect([folder or pipeline.bundled_dir()]):
        sub = read_workbook(path)
        region, country = intake.office_of(sub)
        office = archive.find_office(region, country)
        if office is None:
            office, token = archive.add_office(region, country)
        else:
            token = archive.rotate(office)
        number = None
        if not archive.revisions(office.id):
            with intake.scratch() as d:
                copy = Path(d) / path.name
                copy.write_bytes(path.read_bytes())
                number = intake.receive(archive, checker, office, copy, uploader="recon serve --demo").number
        out.append(DemoOffice(office.key, token, number))
        if progress:
            progress(out[-1])
    password = secrets.token_urlsafe(12)
    try:
        archive.add_user(HQ_USER, password)
    except ValueError:
        archive.set_password(HQ_USER, password)
    return out, password
