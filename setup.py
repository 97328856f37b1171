"""The wheel's build step: what the portal serves from outside its apps goes inside the package.

A checkout keeps the project-wide templates, static files and translations at the top of the tree
and the front-end packages in node_modules (npm, `make assets`). `pip install .` copies them into
`partybuild/shipped/` of the built package, compiling the translations (.po to .mo, with polib) on
the way, so an installed portal needs neither the checkout nor npm; the settings look there first.
Everything else is declared in pyproject.toml.
"""

import importlib.util
import shutil
from pathlib import Path

import polib
from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _frontend():
    spec = importlib.util.spec_from_file_location("frontend", ROOT / "partybuild" / "frontend.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithSiteFiles(build_py):
    """build_py, plus templates/, static/, compiled translations and front-end files."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's own folders
        shipped = Path(self.build_lib) / "partybuild" / "shipped"
        shutil.rmtree(shipped, ignore_errors=True)
        shutil.copytree(ROOT / "templates", shipped / "templates")
        shutil.copytree(ROOT / "static", shipped / "static")
        for po_path in (ROOT / "locale").glob("*/LC_MESSAGES/*.po"):
            mo_path = shipped / po_path.relative_to(ROOT).with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        frontend = _frontend()
        for folder, patterns in [*frontend.VENDOR.values(), frontend.REPORT_FONTS]:
            self._copy_node_files(folder, patterns, shipped)

    @staticmethod
    def _copy_node_files(folder: str, patterns: tuple[str, ...], shipped: Path) -> None:
        source = ROOT / "node_modules" / folder
        for pattern in patterns:
            found = [path for path in source.glob(pattern) if path.is_file()]
            if not found:
                raise SystemExit(
                    f"node_modules/{folder}/{pattern} is missing: run `make assets` (npm ci) first"
                )
            for path in found:
                target = shipped / "node_modules" / folder / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


setup(cmdclass={"build_py": BuildWithSiteFiles})
