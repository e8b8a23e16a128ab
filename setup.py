"""The wheel carries the course: ``notebooks/`` and ``exercises/`` go in as ``simulator/course/``.

Everything else about the package is declared in ``pyproject.toml``.  The two folders stay
at the top of the repository (that is where teachers edit them and ``make lab`` serves
them); this build step copies them into the built package, so ``pip install mailsim[lab]``
followed by ``mailsim lab`` needs no clone (``simulator.lab.course_source`` finds them).
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: repository folder -> folder inside the installed package; generator scripts stay behind.
COURSE = {"notebooks": "course/notebooks", "exercises": "course/exercises"}
SKIP = shutil.ignore_patterns("*.py", "__pycache__", ".ipynb_checkpoints")


class BuildWithCourse(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return          # an editable install reads the repository's folders directly
        for source, target in COURSE.items():
            destination = Path(self.build_lib) / "simulator" / target
            shutil.copytree(HERE / source, destination, ignore=SKIP, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithCourse})
