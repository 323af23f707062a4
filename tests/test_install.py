"""recon installs like real software: the wheel, built from the sdist as pip builds it, carries the rule suites
and the 2015 edition, so a recon installed from it (not editable, no checkout anywhere) reconciles, checks and
writes templates; ``recon --version`` says what a report is made with.

The wheel test builds and installs into a fresh venv (Great Expectations and all, from pip's cache or the
index): slow, so it runs in the full run only (``python -m pytest --full``, which scripts/test and CI run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import recon
from recon import rules

REPO = Path(__file__).resolve().parent.parent
SHIPPED = {"expectations": sorted(p.name for p in (REPO / "expectations").glob("*.json")),
           "workbooks/mi2015": sorted(p.name for p in (REPO / "workbooks" / "mi2015").glob("*.xlsx"))}


def run(*args, cwd: Path, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def test_version_names_recon_the_rules_and_great_expectations_without_importing_it(tmp_path):
    done = run(sys.executable, "-X", "importtime", "-m", "recon.cli", "--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == (f"recon {recon.__version__} · rules {rules.rules_version()} · "
                           f"Great Expectations {version('great_expectations')}\n")
    assert not any(line.rstrip().endswith("| great_expectations") for line in done.stderr.splitlines())


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with recon installed from its wheel, built from the sdist → the venv's bin/."""
    root = tmp_path_factory.mktemp("install")
    dist = root / "dist"
    built = run(sys.executable, "-m", "build", "--outdir", dist, REPO, cwd=root)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (sdist,), (wheel,) = dist.glob("recon-*.tar.gz"), dist.glob("recon-*.whl")
    with tarfile.open(sdist) as tar:
        in_sdist = {Path(*Path(n).parts[1:]).as_posix() for n in tar.getnames()}
    with zipfile.ZipFile(wheel) as whl:
        in_wheel = set(whl.namelist())
    for folder, names in SHIPPED.items():
        assert names and {f"{folder}/{n}" for n in names} <= in_sdist
        assert {f"recon/{folder}/{n}" for n in names} <= in_wheel
    venv = root / "venv"
    assert run(sys.executable, "-m", "venv", venv, cwd=root).returncode == 0
    bin_ = venv / "bin"
    pip = run(bin_ / "python", "-m", "pip", "install", "-q", wheel, cwd=root)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return bin_


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A folder outside the checkout, with the checkout nowhere on the path."""
    assert REPO not in tmp_path.parents
    return tmp_path


def clean_env(bin_: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, "PATH": f"{bin_}{os.pathsep}{env.get('PATH', '')}", "NO_COLOR": "1"}


@pytest.mark.full
def test_wheel_installed_in_a_fresh_venv_finds_its_rules_and_the_2015_edition(installed, elsewhere):
    env = clean_env(installed)
    where = run(installed / "python", "-c", "import recon, recon.rules as r, recon.pipeline as p; "
                "print(recon.__file__); print(r.default_dir()); print(p.bundled_dir())", cwd=elsewhere, env=env)
    assert where.returncode == 0, where.stderr
    site = installed.parent / "lib"
    for line in where.stdout.splitlines():
        assert Path(line).is_relative_to(site) and not Path(line).is_relative_to(REPO), line

    version = run(installed / "recon", "--version", cwd=elsewhere, env=env)
    assert version.stdout.startswith(f"recon {recon.__version__} · rules {rules.rules_version()} · ")


@pytest.mark.full
def test_installed_recon_reconciles_writes_a_template_and_checks_it_outside_the_checkout(installed, elsewhere):
    env = clean_env(installed)
    rec = run(installed / "recon", "reconcile", cwd=elsewhere, env=env)
    assert rec.returncode == 1, rec.stderr  # the published 2015 document has errors
    assert rec.stdout.splitlines()[0] == (f"recon · rules {rules.rules_version()} · 10 workbooks, 788 entries · "
                                          "5 errors, 12 warnings, 10 info")

    made = run(installed / "recon", "template", "--region", "East and Horn of Africa", "-o", "ehoa.xlsx",
               cwd=elsewhere, env=env)
    assert made.returncode == 0 and (elsewhere / "ehoa.xlsx").is_file(), made.stderr

    checked = run(installed / "recon", "check", "ehoa.xlsx", cwd=elsewhere, env=env)
    assert checked.returncode in (0, 1) and "Traceback" not in checked.stderr, checked.stderr
    assert checked.stdout.startswith(f"recon · rules {rules.rules_version()} · 1 workbook, 0 entries")

    # --rules still overrides the suites the wheel carries
    mine = elsewhere / "my-rules"
    shutil.copytree(rules.default_dir(), mine)
    (mine / "totals.json").write_text((mine / "totals.json").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert rules.rules_version(mine) != rules.rules_version()
    overridden = run(installed / "recon", "check", "ehoa.xlsx", "--rules", mine, cwd=elsewhere, env=env)
    assert overridden.stdout.startswith(f"recon · rules {rules.rules_version(mine)} · "), overridden.stderr
