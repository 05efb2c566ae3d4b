"""Upload and download through the web app as a real HTTP server: throughput, and that memory does not grow.

Starts ``gunicorn "web:create_app()"`` (one sync worker) on a temporary storage root, uploads a generated file of
``--gib`` GiB with the tus protocol in 8 MiB chunks (SHA-256 per chunk, whole-file SHA-256 declared and checked
at the end). Prints MiB/s and the server's peak resident memory (VmHWM) before and after, so a leak or a
whole-file read shows as growth proportional to the file.

    python bench/web_upload_bench.py --gib 2
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 8 * 1024 * 1024
REPO = Path(__file__).resolve().parents[1]


def vm_hwm_mib(pid: int) -> float:
    """Peak resident memory of ``pid`` and its children (gunicorn master + worker), in MiB."""
    total = 0
    for child in [pid, *(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total = max(total, int(line.split()[1]))
    return total / 1024


def make_file(path: Path, size: int) -> str:
    """Write ``size`` pseudo-random bytes (not compressible, not sparse); returns their SHA-256 hex."""
    digest = hashlib.sha256()
    block = os.urandom(CHUNK)
    with path.open("wb") as out:
        written = 0
        while written < size:
            piece = block[: min(CHUNK, size - written)]
            out.write(piece)
            digest.update(piece)
            written += len(piece)
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0, help="size of the uploaded file in GiB (default 1)")
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    size = int(args.gib * 1024**3)
    with tempfile.TemporaryDirectory(prefix="mediaops-upload-bench-") as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / "recording.mp4"
        sha256 = make_file(source, size)
        storage = tmp_path / "storage"
        env = {**os.environ, "MEDIAOPS_STORAGE": str(storage), "MEDIAOPS_MAX_UPLOAD_BYTES": str(size + 1)}
        subprocess.run([sys.executable, "-m", "mediaops", "user", "add", "bench", "--role", "operator",
                        "--password-stdin"], input="bench-password\n", text=True, env=env, check=True,
                       capture_output=True)
        from web.models import ApiToken, make_session_factory
        from web.security import hash_token, new_token_secret

        token = new_token_secret()
        _engine, sessions = make_session_factory(f"sqlite:///{storage / 'mediaops.sqlite'}")
        with sessions() as session:
            session.add(ApiToken(user_id=1, name="bench", token_hash=hash_token(token), prefix=token[:10]))
            session.commit()
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "--timeout", "0", "-b",
                                   f"127.0.0.1:{args.port}", "web:create_app()"], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/login")
                    break
                except OSError:
                    time.sleep(0.2)
            time.sleep(1)
            auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=600)
            meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                            {"filename": source.name, "kind": "recording", "sha256": sha256}.items())
            conn.request("POST", "/api/uploads", headers=auth | {"Upload-Length": str(size), "Upload-Metadata": meta})
            response = conn.getresponse()
            response.read()
            url = response.getheader("Location")
            rss_before = vm_hwm_mib(server.pid)
            started = time.perf_counter()
            offset = 0
            with source.open("rb") as handle:
                while offset < size:
                    chunk = handle.read(CHUNK)
                    checksum = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                    conn.request("PATCH", url, body=chunk, headers=auth | {
                        "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset),
                        "Upload-Checksum": f"sha256 {checksum}"})
                    response = conn.getresponse()
                    response.read()
                    assert response.status == 204, (response.status, response.getheader("Upload-Offset"))
                    offset = int(response.getheader("Upload-Offset"))
            upload_s = time.perf_counter() - started
            rss_after = vm_hwm_mib(server.pid)
            stored = next((storage / "uploads").glob(f"*/{source.name}"))
            assert stored.stat().st_size == size
            print(f"upload  {size / 2**20:8.0f} MiB in {upload_s:6.1f} s = {size / 2**20 / upload_s:6.1f} MiB/s "
                  f"(8 MiB chunks, SHA-256 per chunk + whole-file SHA-256 at the end)")
            print(f"server peak RSS  before {rss_before:6.1f} MiB  after {rss_after:6.1f} MiB  "
                  f"growth {rss_after - rss_before:+.1f} MiB for a {size / 2**20:.0f} MiB file")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
