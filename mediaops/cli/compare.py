"""``mediaops compare``: one report putting several streams side by side."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mediaops.errors import InputFileError
from mediaops.report.compare import CompareOptions, write_comparison
from mediaops.report.i18n import LANGUAGES


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("compare", help="compare the KPIs, top clips and products of several streams")
    p.add_argument("out_dirs", type=Path, nargs="+", metavar="OUT_DIR",
                   help="folders written by `mediaops process` (two or more)")
    p.add_argument("--out", type=Path, required=True, help="folder for compare.html, compare.md and compare.csv")
    p.add_argument("--lang", choices=LANGUAGES, default="zh", help="report language (default: zh)")
    p.add_argument("--top", type=int, default=3, metavar="N", help="top clips per stream (default: 3)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if len(args.out_dirs) < 2:
        raise InputFileError("compare needs two or more output folders — e.g. mediaops compare out/week1 out/week2 "
                             "--out out/compare")
    written = write_comparison(args.out_dirs, args.out, CompareOptions(lang=args.lang, top_clips=args.top))
    if not args.quiet:
        print(f"{', '.join(p.name for p in written)} in {args.out}", file=sys.stderr)
    return 0
