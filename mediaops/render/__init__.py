"""Rendering clips, covers and replays."""

from mediaops.render.clips import cut_clip, write_cover
from mediaops.render.options import RenderOptions

__all__ = ["RenderOptions", "cut_clip", "write_cover"]
