"""Build hook: the wheel carries the rule suites and the 2015 edition inside the package.

``expectations/`` and ``workbooks/mi2015/`` stay at the top of the repository (the source of truth); the
wheel has them as ``recon/expectations/`` and ``recon/workbooks/mi2015/``, where an installed recon looks
first (``recon/shipped.py``). ``MANIFEST.in`` puts the same folders into the sdist, so a wheel built from the
sdist carries them too. Everything else is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

# folder at the top of the repository → the files of it that ship
SHIPPED = {"expectations": "*.json", "workbooks/mi2015": "*.xlsx"}


class BuildWithShippedFolders(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's own folders
            return
        for folder, pattern in SHIPPED.items():
            files = sorted(p for p in Path(folder).glob(pattern) if not p.name.startswith("~$"))
            if not files:
                raise SystemExit(f"setup.py: {folder}/ has no {pattern}: refusing to build a recon without it")
            target = Path(self.build_lib) / "recon" / folder
            self.mkpath(str(target))
            for f in files:
                self.copy_file(str(f), str(target / f.name))


setup(cmdclass={"build_py": BuildWithShippedFolders})
