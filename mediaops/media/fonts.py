"""Locating a font that has Chinese glyphs, on a fresh machine too.

The default comes from PyPI: ``manimgx-fonts-cjk`` ships Noto Sans CJK (SIL OFL 1.1) unmodified. Where that
package is missing, the usual system locations of Noto CJK / Source Han / WenQuanYi (Debian's
``fonts-noto-cjk`` or ``fonts-wqy-microhei``) are tried. libass is pointed at the font's folder (``fontsdir``)
and, through a private fontconfig file, at nothing else: on a machine whose fontconfig knows only Latin fonts,
libass would otherwise take fontconfig's substitute (e.g. DejaVu Sans) for the CJK family and draw no Chinese.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from mediaops.errors import MediaOpsError

_SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


@dataclass(frozen=True, slots=True)
class FontInfo:
    """A font file, the face in it to use for Simplified Chinese, and that face's family name."""

    path: Path
    family: str
    index: int = 0

    @property
    def folder(self) -> Path:
        return self.path.parent


def _faces(path: Path) -> list[str]:
    from PIL import ImageFont

    names = []
    for index in range(16):
        try:
            names.append(ImageFont.truetype(str(path), 12, index=index).getname()[0] or "")
        except OSError:
            break
    return names


def _describe(path: Path) -> FontInfo | None:
    names = _faces(path)
    if not names:
        return None
    # prefer the Simplified Chinese face of a pan-CJK collection
    index = next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)
    return FontInfo(path, names[index], index)


def _packaged_font() -> Path | None:
    spec = importlib.util.find_spec("manimgx_fonts_cjk")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return next(iter(sorted(folder.glob("*.tt[cf]"))), None)


@functools.cache
def cjk_font() -> FontInfo:
    """The CJK font captions, covers and cards are set in.

    Raises:
        MediaOpsError: no font with Chinese glyphs is installed.
    """
    for candidate in (_packaged_font(), *map(Path, _SYSTEM_FONTS)):
        if candidate is not None and candidate.is_file():
            info = _describe(candidate)
            if info is not None:
                return info
    raise MediaOpsError(
        "no Chinese font found for captions: pip install manimgx-fonts-cjk (or apt-get install fonts-noto-cjk)"
    )


def private_fontconfig(font: FontInfo, folder: Path) -> dict[str, str]:
    """Environment for an ffmpeg/libass run that sees only ``font``'s folder: writes ``fonts.conf`` (and its
    cache) into ``folder`` and returns ``{"FONTCONFIG_FILE": …}``. The CJK font has Latin glyphs too."""
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{escape(str(font.folder))}</dir>\n  <cachedir>{escape(str(folder / 'fontconfig-cache'))}</cachedir>\n"
        "</fontconfig>\n",
        "utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}

