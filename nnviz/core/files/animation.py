"""Animations out: frames (RGB arrays) written as an animated GIF (Pillow) or an MP4 video
(imageio with its ffmpeg wheel), both optional: ``pip install "nnviz[animation]"``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from nnviz.core.files.atomic import atomic_write_bytes

FORMATS = {".gif": "Animated GIF (*.gif)", ".mp4": "MP4 video (*.mp4)"}
INSTALL_HINT = 'animations need Pillow and imageio: pip install "nnviz[animation]"'


class AnimationError(ValueError):
    """An animation cannot be written: unknown format, missing library, failed encoding."""


class AnimationWriter:
    """Frames in, one file out, written atomically when :meth:`close` is called.

    GIF frames are reduced to a 256-colour palette as they come (a quarter of the memory of
    RGB); an MP4 is encoded as the frames come, into a temporary file beside the target.
    """

    def __init__(self, path: str | os.PathLike[str], fps: float) -> None:
        self.path = Path(path)
        self.fps = float(fps)
        suffix = self.path.suffix.lower()
        if suffix not in FORMATS:
            raise AnimationError(
                f"{self.path}: unknown animation format; use a file ending in "
                f"{' or '.join(FORMATS)}"
            )
        if not 0 < self.fps <= 60:
            raise AnimationError(f"frames per second must be above 0 and at most 60, got {fps}")
        self._gif = suffix == ".gif"
        self._frames: list = []
        self._video = None
        self._temp: Path | None = None
        try:
            if self._gif:
                import PIL.Image  # noqa: F401
            else:
                import imageio.v2  # noqa: F401
                import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise AnimationError(INSTALL_HINT) from None

    def add(self, rgb: np.ndarray) -> None:
        """One frame, an (h, w, 3) uint8 array; every frame has the first one's size."""
        rgb = np.ascontiguousarray(rgb, np.uint8)
        if self._gif:
            from PIL import Image

            self._frames.append(Image.fromarray(rgb, "RGB").quantize(256))
            return
        if self._video is None:
            import imageio.v2 as imageio

            fd, name = tempfile.mkstemp(suffix=".mp4", dir=self.path.parent)
            os.close(fd)
            self._temp = Path(name)
            # Even sizes: H.264 in the common yuv420p pixel format needs them.
            self._video = imageio.get_writer(
                name, fps=self.fps, codec="libx264", quality=7, macro_block_size=2
            )
        self._video.append_data(rgb[: rgb.shape[0] // 2 * 2, : rgb.shape[1] // 2 * 2])

    def close(self) -> None:
        """Write the file; raises :class:`AnimationError` with no frames, ``OSError`` if it
        cannot be written (an older file at the path is then untouched)."""
        if self._gif:
            if not self._frames:
                raise AnimationError("no frames to animate")
            import io

            buffer = io.BytesIO()
            first, *rest = self._frames
            duration = round(1000 / self.fps)
            first.save(buffer, "GIF", save_all=True, append_images=rest, duration=duration, loop=0)
            atomic_write_bytes(self.path, buffer.getvalue())
            return
        if self._video is None:
            raise AnimationError("no frames to animate")
        try:
            self._video.close()
            data = self._temp.read_bytes()
        finally:
            self._temp.unlink(missing_ok=True)
        atomic_write_bytes(self.path, data)

    def discard(self) -> None:
        """Give up (cancelled): nothing is written."""
        self._frames.clear()
        if self._video is not None:
            try:
                self._video.close()
            finally:
                self._temp.unlink(missing_ok=True)
            self._video = None
