"""Only what pyproject.toml cannot say: ship ``openapi/`` and ``fixtures/`` inside the package.

A checkout reads them from the repository root; an installed package (``pip install .``, a wheel)
has no repository, so the build copies them to ``mockserver/bundled/``, where
``mockserver.settings`` looks next.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithSpecs(build_py):
    def run(self) -> None:
        super().run()
        bundled = Path(self.build_lib) / "mockserver" / "bundled"
        for name in ("openapi", "fixtures"):
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, bundled / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithSpecs})
