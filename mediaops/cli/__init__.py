"""The ``mediaops`` command: argument parsing and terminal output only.

Each subcommand lives in its own module with ``register(subparsers)``, which adds its parser and sets
``handler`` to a function ``(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from mediaops import __version__
from mediaops.errors import MediaOpsError

#: modules that define subcommands, in the order ``--help`` lists them. Bare names live under mediaops.cli;
#: dotted names are the adapters' own modules (workers, web), imported only by the command line so that the
#: library itself never imports Celery or Flask. Such modules must import Celery/Flask inside their handlers.
COMMAND_MODULES = ("process", "live", "inspect", "transcribe", "render", "report", "compare", "workers.cli_commands",
                   "web.cli_commands")


#: optional dependencies and the extra that installs each (the library itself needs none of them)
EXTRAS_OF_MODULE = {"flask": "web", "werkzeug": "web", "celery": "workers", "kombu": "workers",
                    "sqlalchemy": "workers", "redis": "workers"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediaops", description="Highlight clips and retrospectives for livestream-commerce recordings."
    )
    parser.add_argument("--version", action="version", version=f"mediaops {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = name if "." in name else f"mediaops.cli.{name}"
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 failed, 2 bad input or usage, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from mediaops.media.ffmpeg_tools import use_ffmpeg

        use_ffmpeg(os.environ.get("MEDIAOPS_FFMPEG"))
        return int(args.handler(args) or 0)
    except MediaOpsError as exc:
        print(f"mediaops: error: {exc}", file=sys.stderr)
        return 1 if exc.transient else 2
    except KeyboardInterrupt:
        print("mediaops: interrupted; finished outputs were kept, partial ones removed", file=sys.stderr)
        return 130
    except Exception as exc:
        missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
        extra = EXTRAS_OF_MODULE.get((missing or "").split(".")[0])
        if extra is not None:
            print(f"mediaops: error: `mediaops {args.command}` needs {missing}, which the library alone does not "
                  f"install — run: pip install 'mediaops[{extra}]'", file=sys.stderr)
            return 2
        if args.debug:
            raise
        print(f"mediaops: internal error: {exc.__class__.__name__}: {exc} (re-run with --debug for details)",
              file=sys.stderr)
        return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
