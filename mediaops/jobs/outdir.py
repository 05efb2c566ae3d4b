"""The output folder of a job: checked before any work starts, and cleared of what killed runs left beside it.

Scratch folders are named with the process id that made them (``.NAME.partial-job-PID-…``,
``.NAME.partial-PID-…``, ``mediaops-reel-PID-…`` in the temporary folder), so that the next run can tell a
folder whose process died (SIGKILL, power loss) from one a running job still uses, and remove only the former.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from mediaops.errors import MediaOpsError


class OutputFolderError(MediaOpsError):
    """``--out`` cannot hold the results (a file, a folder under a file, a read-only place)."""


_SCRATCH = re.compile(r"^\.(?P<name>.+)\.(?:partial-job|partial|old|render)-(?P<pid>\d+)-")
_REEL_SCRATCH = re.compile(r"^mediaops-reel-(?P<pid>\d+)-")


def scratch_prefix(out_dir: Path, kind: str) -> str:
    """The name prefix of a scratch folder of ``kind`` beside ``out_dir``, carrying this process's id."""
    return f".{out_dir.name}.{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_scratch(out_dir: Path, temp_root: Path | None = None) -> list[Path]:
    """Remove the scratch folders of dead processes beside ``out_dir`` and of dead reels; returns them."""
    removed: list[Path] = []
    places = [(out_dir.parent, _SCRATCH), (temp_root or Path(tempfile.gettempdir()), _REEL_SCRATCH)]
    for folder, pattern in places:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            match = pattern.match(entry.name)
            if match is None or not entry.is_dir() or entry.is_symlink():
                continue
            if pattern is _SCRATCH and match.group("name") != out_dir.name:
                continue
            if not _alive(int(match.group("pid"))):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def check_out_dir(out_dir: Path) -> Path:
    """Make sure ``out_dir`` can receive a job's results before any work starts; returns it.

    Creates missing parents. Never replaces a file.

    Raises:
        OutputFolderError: ``out_dir`` is a file, lies under a file, or its folder cannot be written.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputFolderError(f"--out {out_dir} is a file, not a folder — choose a folder for the results "
                                "(the file was left as it is)")
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise OutputFolderError(f"--out {out_dir} lies under a file ({exc.filename}) — choose a folder "
                                "whose parents are folders") from exc
    except OSError as exc:
        raise OutputFolderError(f"cannot create the folder for --out {out_dir} ({exc.strerror}) — choose a "
                                "folder you can write to") from exc
    try:
        probe = Path(tempfile.mkdtemp(prefix=scratch_prefix(out_dir, "check"), dir=parent))
    except OSError as exc:
        raise OutputFolderError(f"cannot write beside --out {out_dir} ({exc.strerror}) — choose a folder you "
                                "can write to") from exc
    probe.rmdir()
    return out_dir
