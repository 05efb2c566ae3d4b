"""Rendering clips, covers and replays."""

from mediaops.render.clips import ClipJob, RenderedClip, cut_clip, render_clip, render_highlight, write_cover
from mediaops.render.options import RenderOptions

__all__ = ["ClipJob", "RenderOptions", "RenderedClip", "cut_clip", "render_clip", "render_highlight", "write_cover"]
