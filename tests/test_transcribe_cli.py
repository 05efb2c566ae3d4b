"""``mediaops transcribe``: formats, hotwords from a product list, the cache, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mediaops.cli import main


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, whisper_model: str) -> Path:
    monkeypatch.setenv("MEDIAOPS_MODEL", whisper_model)
    monkeypatch.setenv("MEDIAOPS_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_transcribe_writes_each_format(cli_env: Path, testdata: Path) -> None:
    jfk = str(testdata / "speech" / "jfk.flac")
    assert main(["transcribe", jfk, "--out", str(cli_env / "t.json"), "--quiet"]) == 0
    data = json.loads((cli_env / "t.json").read_text(encoding="utf-8"))
    assert data["language"] == "en" and data["segments"][0]["words"]
    assert len(list((cli_env / "cache" / "transcripts").glob("*.json"))) == 1
    for fmt in ("srt", "vtt", "txt"):
        assert main(["transcribe", jfk, "--format", fmt, "--out", str(cli_env / f"t.{fmt}"), "--quiet"]) == 0
    assert "00:00:00,000 --> " in (cli_env / "t.srt").read_text(encoding="utf-8")
    assert (cli_env / "t.vtt").read_text(encoding="utf-8").startswith("WEBVTT\n\n00:00:")
    assert "ask not what your country" in (cli_env / "t.txt").read_text(encoding="utf-8").lower()
    assert len(list((cli_env / "cache" / "transcripts").glob("*.json"))) == 1  # reused, not redone


@pytest.mark.slow
def test_products_become_hotwords(cli_env: Path, testdata: Path, capsys: pytest.CaptureFixture[str]) -> None:
    products = cli_env / "products.csv"
    products.write_text("sku,name,aliases,price\nSKU-1,ComfyUI,comfy|ComfyUI Pro,0\n", encoding="utf-8")
    assert main(["transcribe", str(testdata / "speech" / "hotwords.mp3"), "--products", str(products),
                 "--format", "txt", "--quiet", "--no-cache"]) == 0
    assert "ComfyUI" in capsys.readouterr().out


@pytest.mark.parametrize(("content", "fragment"), [(None, "recording not found"),
                                                   (b"<html>not media</html>" * 50, "")],
                         ids=["missing", "not-media"])
def test_bad_input_is_one_line(tmp_path: Path, content: bytes | None, fragment: str) -> None:
    target = tmp_path / "stream.mp4"
    if content is not None:
        target.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "mediaops", "transcribe", str(target), "--no-cache"],
                          capture_output=True, text=True, check=False, timeout=120)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("mediaops: error:") and fragment in lines[0], proc.stderr
    assert not proc.stdout
