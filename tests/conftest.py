import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("NO_COLOR", "1")

REPO = Path(__file__).resolve().parent.parent
MI2015 = REPO / "workbooks" / "mi2015"


@pytest.fixture(scope="session")
def mi2015_result():
    """The bundled 2015 edition, reconciled once per test session."""
    from recon import pipeline

    return pipeline.run([MI2015])
