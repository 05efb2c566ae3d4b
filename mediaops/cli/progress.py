"""Terminal progress bars for pipeline stages (tqdm on stderr)."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


class TerminalProgress:
    """A ``ProgressCallback`` that draws one bar per stage; silent when ``quiet``."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        if self.quiet:
            return
        bar = self._bars.get(stage)
        if bar is None:
            for other in self._bars.values():
                other.close()
            bar = tqdm(total=100, desc=f"{stage:<11}", unit="%", file=sys.stderr, leave=True,
                       bar_format="{desc} {bar} {percentage:3.0f}% {postfix}")
            self._bars[stage] = bar
        bar.n = round(min(max(fraction, 0.0), 1.0) * 100)
        bar.set_postfix_str(message, refresh=False)
        bar.refresh()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()
