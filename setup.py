"""The knowledge (ontology, triples, shapes, queries) lives at the top of the repository, where
people edit it; a wheel must carry it so that an installed narcokg can build and serve. This
build step copies it into the package as ``narcokg/_data`` (see ``narcokg.config``)."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

KNOWLEDGE = ("ontology", "triples", "shapes", "queries")


class BuildWithKnowledge(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "narcokg" / "_data"
        for name in KNOWLEDGE:
            shutil.copytree(here / name, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithKnowledge})
