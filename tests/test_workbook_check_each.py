"""``recon check`` checks each file on its own; ``reconcile`` says which copy of an office won and why
(issue 13, item 5 of the issue / item 3 of the brief)."""

import json

import fixtures as fx
from typer.testing import CliRunner

from recon.cli import app
from recon.reconciliation.reconcile import reconcile
from recon.workbook.read import read_workbook


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def two_kenya_copies(tmp_path):
    """Revision 1 with a negative amount (an error), revision 2 clean: merged, revision 1 would vanish."""
    old = fx.clean_country(tmp_path, "kenya-r1", rows=[{"area": "Migration Health", "amount": -5}])
    new = fx.write(tmp_path, "kenya-r2", [{"area": "Migration Health", "amount": 2}], country="Kenya", revision=2)
    return old, new


def test_check_of_two_copies_of_one_office_reports_each_not_a_merge(tmp_path):
    """Regression: `recon check a.xlsx b.xlsx` merged two copies of one office; one silently replaced the
    other and its findings disappeared."""
    old, new = two_kenya_copies(tmp_path)
    out = invoke("check", old, new, "--format", "json")
    doc = json.loads(out.stdout)
    assert [(f["file"].rsplit("/", 1)[-1], f["exit_code"]) for f in doc["files"]] == [
        ("kenya-r1.xlsx", 1), ("kenya-r2.xlsx", 0)]
    rules = {f["rule"] for part in doc["files"] for f in part["findings"]}
    assert "ENTRY-AMOUNT-NEGATIVE" in rules and "MERGE-SUPERSEDED" not in rules
    assert out.exit_code == 1 == doc["exit_code"]


def test_check_groups_plain_output_by_file_and_exits_with_the_worst(tmp_path):
    old, new = two_kenya_copies(tmp_path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    out = invoke("check", new, old, broken)
    text = out.stdout
    assert text.index("== kenya-r2.xlsx (checked on its own") < text.index("== kenya-r1.xlsx (checked on its own") \
        < text.index("ENTRY-AMOUNT-NEGATIVE") < text.index("== broken.xlsx (checked on its own")
    assert out.exit_code == 2


def test_supersede_names_every_copy_the_winner_and_why(tmp_path):
    old, new = two_kenya_copies(tmp_path)
    (f,) = reconcile([read_workbook(old), read_workbook(new)]).findings
    assert "kenya-r1.xlsx (revision 1, 1 entry)" in f.message and "kenya-r2.xlsx (revision 2, 1 entry)" in f.message
    assert "kenya-r2.xlsx is used because it has the highest revision (2)" in f.message


def test_equal_revisions_are_decided_by_content_not_by_file_name(tmp_path):
    """Equal revisions: the copy with more entries wins, whatever the names; equal counts: the SHA-256."""
    fuller = fx.clean_country(tmp_path, "a-kenya")
    (tmp_path / "b").mkdir()
    shorter = fx.clean_country(tmp_path / "b", "z-kenya", rows=fx.KENYA_ENTRIES[:1])
    for order in ([fuller, shorter], [shorter, fuller]):
        rec = reconcile([read_workbook(p) for p in order])
        assert set(rec.entries["file"]) == {"a-kenya.xlsx"}
        (f,) = rec.findings
        assert "revisions are equal (1) and it has more entries (3 against 1)" in f.message
    renamed = [fx.clean_country(tmp_path, "z-first", rows=[{"area": "Migration Health", "amount": 1}]),
               fx.clean_country(tmp_path, "a-second", rows=[{"area": "Migration Health", "amount": 2}])]
    subs = [read_workbook(p) for p in renamed]
    want = min(subs, key=lambda s: s.sha256).name
    for order in (subs, subs[::-1]):
        rec = reconcile(list(order))
        assert set(rec.entries["file"]) == {want}
        assert "lower SHA-256" in rec.findings[0].message
