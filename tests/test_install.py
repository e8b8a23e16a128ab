"""``pip install mailsim[lab]`` without make or a clone: the wheel, a fresh venv, ``mailsim lab``.

The wheel is built from a copy of the repository's files (what a clean clone
holds), installed without its dependencies into a new virtual environment that
sees this interpreter's packages through a ``.pth`` line (so nothing is
downloaded), and then used only through its own ``mailsim`` script: the help
of ``lab`` and ``serve``, and a ``mailsim lab`` whose JupyterLab serves the
course from the student's working folder over HTTP.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "mailsim-install-test"
#: Seconds JupyterLab may take to answer on a loaded machine (a bound, not an expectation).
START_LIMIT = 240


def _source_files() -> list[str]:
    """The files a clean clone holds: tracked and new ones, nothing git ignores."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: no clean file list to build from")
    return [name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel built from a clean copy of the repository; its bin folder."""
    base = tmp_path_factory.mktemp("install")
    clone = base / "clone"
    for name in _source_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(dist), str(clone)], check=True)
    wheel = next(dist.glob("mailsim-*.whl"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    code = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    # The dependencies (and Jupyter) come from this interpreter's environment; a plain
    # path line, so that environment's own .pth files (an editable mailsim) stay inactive.
    Path(site.stdout.strip(), "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "-q", str(wheel)], check=True)
    return bindir


def _env(tmp: Path) -> dict[str, str]:
    """No PYTHONPATH (it would put the repository before the wheel), a home of its own."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(HOME=str(tmp / "home"), USERPROFILE=str(tmp / "home"), JUPYTER_TOKEN=TOKEN,
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"), MAILSIM_LANG="en")
    (tmp / "home").mkdir(exist_ok=True)
    return env


def test_the_wheel_carries_the_course_and_the_exercises(installed):
    wheel = next(installed.parents[1].glob("dist/mailsim-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "simulator/course/notebooks/ru/00_оглавление.ipynb" in names
    assert "simulator/course/notebooks/en/00_contents.ipynb" in names
    assert "simulator/course/exercises/README.md" in names
    assert not [n for n in names if n.startswith("simulator/course/") and n.endswith(".py")]


def test_the_installed_command_is_the_wheel_and_answers_help(installed, tmp_path):
    env = _env(tmp_path)
    code = "import simulator; print(simulator.__file__)"
    where = subprocess.run([str(installed / "python"), "-c", code], env=env, cwd=tmp_path,
                           capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)
    lab = subprocess.run([str(installed / "mailsim"), "lab", "--help", "--lang", "en"], env=env,
                         cwd=tmp_path, capture_output=True, text=True, check=False)
    assert lab.returncode == 0 and "--dir" in lab.stdout and "working folder" in lab.stdout
    serve = subprocess.run([str(installed / "mailsim"), "serve", "--help", "--lang", "ru"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert serve.returncode == 0 and "--port-offset" in serve.stdout
    assert "Traceback" not in lab.stderr + serve.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)


def test_mailsim_lab_copies_the_course_and_jupyterlab_serves_it(installed, tmp_path):
    workdir = tmp_path / "my course"
    port = _free_port()
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(installed / "mailsim"), "lab", "--no-browser", "--port", str(port),
             "--dir", str(workdir), "--lang", "en"], env=_env(tmp_path), cwd=tmp_path,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api/contents/en/00_contents.ipynb?token={TOKEN}"
    try:
        deadline = time.monotonic() + START_LIMIT
        notebook = None
        while notebook is None and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                notebook = _get_json(url)
            except OSError:
                time.sleep(0.5)          # polling a server that is starting, not ordering
        assert notebook is not None, log.read_text()[-3000:]
        assert notebook["type"] == "notebook" and notebook["content"]["cells"]
        listing = _get_json(f"http://127.0.0.1:{port}/api/contents/?token={TOKEN}")
        assert {"ru", "en", "exercises"} <= {item["name"] for item in listing["content"]}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    # The student's copy: the course's files, in a folder of their own.
    assert (workdir / "ru" / "00_оглавление.ipynb").is_file()
    assert (workdir / "exercises" / "README.md").is_file()
    assert "files copied to" in log.read_text()
