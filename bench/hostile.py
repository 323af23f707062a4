"""Time and peak memory of refusing a zip bomb and an entity bomb, each in a fresh interpreter.

    python bench/hostile.py            # prints JSON: seconds and peak RSS per case

Target (issue: hostile workbooks): a ~300 MB-of-XML zip bomb refused in under 2 s with under 200 MB.
The bombs are the ones tests/test_hostile.py builds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

CHILD = """
import resource, sys, time
started = time.perf_counter()
from recon.errors import UnusableInput
from recon.workbook.read import read_workbook
try:
    read_workbook(sys.argv[1])
    outcome = "read"
except UnusableInput as exc:
    outcome = str(exc)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, outcome, sep="\\t")
"""


def main() -> None:
    import test_hostile as corpus

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for name, build in (("zip-bomb", corpus.zip_bomb), ("entity-bomb", corpus.entity_bomb)):
            case = d / name
            case.mkdir()
            path = build(case)
            expanded = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
            run = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                 check=True)
            seconds, peak_mb, outcome = run.stdout.strip().split("\t", 2)
            out[name] = {"file_bytes": path.stat().st_size, "uncompressed_bytes": expanded,
                         "seconds_incl_imports": round(float(seconds), 3), "peak_rss_mb": int(peak_mb),
                         "outcome": outcome}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
