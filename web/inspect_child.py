"""``python -m web.inspect_child``: the process that reads an upload for the upload page's preview.

:mod:`web.inspect_view` starts it with a JSON spec on stdin (the file, its kind, the recording, the start time,
the :class:`~mediaops.inputs.metrics.MetricsOptions` fields and a memory cap in bytes) and kills it when it runs
too long. It prints one JSON object: ``{"report": <InputReport, encoded>}``, or ``{"failure": "file" |
"recording", "error": "<one line>"}`` when the file is gone or the recording cannot be probed. It imports only
the library (no Flask), so that it starts fast; a hostile file can cost it its memory cap, never the server's.
"""

from __future__ import annotations

import json
import resource
import sys
from datetime import datetime
from pathlib import Path
from typing import Any


def main() -> int:
    spec = json.loads(sys.stdin.buffer.read())
    limit = int(spec["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    from mediaops.errors import InputFileError, MediaOpsError
    from mediaops.inputs.inspect import inspect_input
    from mediaops.inputs.metrics import MetricsOptions
    from mediaops.serialize import decode, encode

    try:
        report = inspect_input(Path(spec["path"]), decode(MetricsOptions, spec["options"]),
                               recording=Path(spec["recording"]) if spec["recording"] else None,
                               start_time=datetime.fromisoformat(spec["start_time"]) if spec["start_time"] else None,
                               kind=spec["kind"])
    except InputFileError as exc:
        result: dict[str, Any] = {"failure": "file", "error": str(exc)}
    except MediaOpsError as exc:  # the recording cannot be probed
        result = {"failure": "recording", "error": str(exc)}
    else:
        result = {"report": encode(report)}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
