"""The CLI: exit codes, JSON shape, one-line errors, and no Great Expectations import where rules don't run."""

import json
import subprocess
import sys

import fixtures as fx
import pytest
from typer.testing import CliRunner

from recon.cli import app

runner = CliRunner()


def recon(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", ["template", "check", "reconcile", "diff", "export"])
def test_every_command_has_help_with_an_example(command):
    result = recon(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output and "recon " + command in result.output


def test_template_then_check_clean_and_with_errors(tmp_path):
    out = tmp_path / "ehoa.xlsx"
    assert recon("template", "--region", "East and Horn of Africa", "-o", out).exit_code == 0
    assert recon("template", "--region", "East and Horn of Africa", "-o", out).exit_code == 2  # never overwrite
    assert recon("check", fx.clean_region(tmp_path)).exit_code == 0
    bad = fx.clean_country(tmp_path, "bad", rows=[{"area": "Migration Health", "amount": -1}])
    result = recon("check", bad, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    (finding,) = doc["findings"]
    assert list(finding) == ["rule", "severity", "region", "country", "area", "expected", "actual", "location",
                             "message", "suggestion", "expected_value", "actual_value"]
    assert (finding["rule"], finding["location"]) == ("ENTRY-AMOUNT-NEGATIVE", "bad.xlsx › Entries › C2")
    assert {"region", "published_total", "computed_total"} <= set(doc["regions"][0])


def test_unusable_input_is_one_line_and_exit_2(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_text("not a workbook")
    result = recon("check", p)
    assert result.exit_code == 2
    assert "broken.xlsx" in result.output and "Traceback" not in result.output


def test_batch_goes_on_when_one_workbook_is_unusable(tmp_path):
    (tmp_path / "broken.xlsx").write_text("not a workbook")
    fx.clean_region(tmp_path)
    result = recon("reconcile", tmp_path, "--format", "json")
    doc = json.loads(result.output)
    assert result.exit_code == 2
    assert [f["rule"] for f in doc["findings"]] == ["READ-UNUSABLE"]
    assert {i["file"]: i["status"] != "read" for i in doc["inputs"]} == {"clean-region.xlsx": False,
                                                                         "broken.xlsx": True}


def test_missing_path_is_a_usage_error(tmp_path):
    result = recon("check", tmp_path / "nope.xlsx")
    assert result.exit_code == 2 and "nope.xlsx" in result.output


def test_export_csv_columns_and_status(tmp_path):
    result = recon("export", fx.clean_region(tmp_path), "--format", "csv", "-o", "-")
    lines = result.output.splitlines()
    assert lines[0] == "region,country,area,amount_usd,status,source"
    assert "East and Horn of Africa,Regional Programmes,Migration Policy and Research,,funded," \
           "clean-region.xlsx › Entries › C5" in lines


def test_export_neutralises_formulas(tmp_path):
    path = fx.clean_country(tmp_path, "inject", rows=[{"country": "@SUM(1+1)*cmd|' /C calc'!A0",
                                                       "area": "Migration Health", "amount": 1}])
    out = recon("export", path, "--format", "csv").output
    assert ",'@SUM(1+1)" in out


def _imports(*args) -> set[str]:
    code = ("import sys; from recon.cli import main; sys.argv=['recon', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('GX' if 'great_expectations' in sys.modules else 'noGX')")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    return set(out.stdout.split())


def test_help_and_template_do_not_import_great_expectations(tmp_path):
    assert "noGX" in _imports("--help")
    assert "noGX" in _imports("template", "--region", "Southern Africa", "-o", str(tmp_path / "sa.xlsx"))
    assert (tmp_path / "sa.xlsx").exists()
