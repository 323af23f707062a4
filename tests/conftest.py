import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("NO_COLOR", "1")

REPO = Path(__file__).resolve().parent.parent
MI2015 = REPO / "workbooks" / "mi2015"


@pytest.fixture(scope="session")
def mi2015_result():
    """The bundled 2015 edition, reconciled once per test session."""
    from recon import pipeline

    return pipeline.run([MI2015])


@pytest.fixture(scope="session")
def checker():
    """The rules loaded once (GX imported, every suite built), shared as `recon serve` shares its one checker."""
    from recon.intake import Checker

    return Checker()


# --- two strengths of one suite ------------------------------------------------------------------------------
# A developer's `python -m pytest` tries hypothesis' default 100 examples per property and skips the tests
# marked `full`; `python -m pytest --full` (what scripts/test, and so CI, runs) tries 1,000 and runs them all.
hypothesis_settings.register_profile("full", max_examples=1000)


def pytest_addoption(parser):
    parser.addoption("--full", action="store_true",
                     help="full strength: 1,000 examples per property and the tests marked full (scripts/test)")


def pytest_configure(config):
    config.addinivalue_line("markers", "full: slow; runs only with --full (e.g. the wheel in a fresh venv)")
    if config.getoption("full"):
        hypothesis_settings.load_profile("full")


def pytest_collection_modifyitems(config, items):
    if config.getoption("full"):
        return
    skip = pytest.mark.skip(reason="full run only: python -m pytest --full (scripts/test runs it)")
    for item in items:
        if item.get_closest_marker("full"):
            item.add_marker(skip)
