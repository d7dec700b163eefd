"""Face tracking with MediaPipe's FaceLandmarker and the bundled model."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Literal

import numpy as np

from pyfame.errors import ImageShapeError, PyfameValueError
from pyfame.face.faces import N_BLENDSHAPES, Faces
from pyfame.face.hairline import HairlineSmoother, hairline_heights, hairline_points
from pyfame.face.one_euro import OneEuroFilter
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.models import load_model_bytes

log = logging.getLogger(__name__)


@contextmanager
def native_stderr_quiet(enabled: bool = True) -> Iterator[None]:
    """Silence what MediaPipe's C++ side prints straight to file descriptor 2 while its
    graph starts (absl warnings such as "Feedback manager requires a model with a single
    signature inference", which no setting turns off). Python's own logging is untouched;
    with ``-v`` (logging at INFO) nothing is silenced."""
    if not enabled or logging.getLogger("pyfame").isEnabledFor(logging.INFO):
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)

TrackingMode = Literal["video", "image"]
#: Stills at least this large (pixels, longer side) are searched in crops when no face is found.
CROP_SEARCH_MIN_SIDE = 1200


class FaceTracker:
    """Finds faces and their 478 landmarks frame by frame.

    VIDEO mode follows the face from frame to frame and needs increasing timestamps (the
    tracker makes them strictly increasing in milliseconds itself); IMAGE mode treats each
    frame on its own. Landmarks come back in pixels of the frame.

    Parameters
    ----------
    settings : TrackerSettings, optional
        Thresholds and extras; the defaults track one face.
    mode : {"video", "image"}
        How frames relate to each other.

    Examples
    --------
    >>> from pyfame.samples import sample_face
    >>> with FaceTracker(mode="image") as tracker:
    ...     faces = tracker.track(sample_face())
    >>> faces.landmarks.shape
    (1, 478, 3)
    """

    def __init__(self, settings: TrackerSettings | None = None, mode: TrackingMode = "video") -> None:
        if mode not in ("video", "image"):
            raise PyfameValueError(f"mode must be 'video' or 'image', got {mode!r}")
        self.settings = settings or TrackerSettings()
        self.mode = mode
        self._last_ms = -1
        self._filter = (
            OneEuroFilter(min_cutoff=self.settings.smoothing)
            if self.settings.smoothing > 0 and mode == "video"
            else None
        )
        self._hairline_smoother = HairlineSmoother() if mode == "video" else None
        self._started = False
        with native_stderr_quiet():
            self._landmarker = self._create()

    def _create(self):
        from mediapipe.tasks.python import BaseOptions, vision

        s = self.settings
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=load_model_bytes()),
            running_mode=vision.RunningMode.VIDEO if self.mode == "video" else vision.RunningMode.IMAGE,
            num_faces=s.num_faces,
            min_face_detection_confidence=s.min_detection_confidence,
            min_face_presence_confidence=s.min_presence_confidence,
            min_tracking_confidence=s.min_tracking_confidence,
            output_face_blendshapes=s.blendshapes,
            output_facial_transformation_matrixes=s.head_pose,
        )
        return vision.FaceLandmarker.create_from_options(options)

    def track(self, pixels: np.ndarray, t: float = 0.0) -> Faces:
        """Faces in one RGB ``uint8`` frame shown at ``t`` seconds.

        Parameters
        ----------
        pixels : numpy.ndarray
            ``(H, W, 3)`` RGB uint8.
        t : float
            Time of the frame in seconds (VIDEO mode only).
        """
        import mediapipe as mp

        if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
            raise ImageShapeError(
                f"frames must be RGB uint8 (H, W, 3), got {pixels.dtype} {pixels.shape}"
            )
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(pixels))
        with native_stderr_quiet(not self._started):  # the graph's first run prints too
            if self.mode == "video":
                ms = max(int(round(t * 1000.0)), self._last_ms + 1)
                self._last_ms = ms
                result = self._landmarker.detect_for_video(image, ms)
            else:
                result = self._landmarker.detect(image)
        self._started = True
        faces = self._to_faces(result, pixels.shape, t)
        if not faces and self.mode == "image" and max(pixels.shape[:2]) >= CROP_SEARCH_MIN_SIDE:
            faces = self._search_crops(pixels)
        return self._with_hairline(faces, pixels, t)

    def _with_hairline(self, faces: Faces, pixels: np.ndarray, t: float) -> Faces:
        """The faces with where each forehead ends (:mod:`pyfame.face.hairline`), found on
        these pixels and, in VIDEO mode, smoothed over time."""
        if not faces:
            if self._hairline_smoother is not None:
                self._hairline_smoother.reset()
            return faces
        heights = np.stack([hairline_heights(pixels, lm) for lm in faces.landmarks])
        if self._hairline_smoother is not None:
            heights = self._hairline_smoother(heights, t)
        points = np.stack([hairline_points(lm, h) for lm, h in zip(faces.landmarks, heights)])
        return Faces.from_landmarks(faces.landmarks, pixels.shape, faces.blendshapes, faces.matrices, points)

    def _search_crops(self, pixels: np.ndarray) -> Faces:
        """Look for faces that are small in a large still, in overlapping square crops.

        MediaPipe's face detector sees the whole image at 128x128 pixels, so a face that is
        a small part of a large still (a 4K photo) is missed. The crops (half the shorter side,
        overlapping by half) bring such a face back into the detector's range; the landmarks
        found in a crop are mapped back to the whole image.
        """
        import mediapipe as mp

        h, w = pixels.shape[:2]
        side = max(min(h, w) // 2, 256)
        step = side // 2
        found: list[np.ndarray] = []
        for y in range(0, max(h - side, 0) + 1, step):
            for x in range(0, max(w - side, 0) + 1, step):
                crop = np.ascontiguousarray(pixels[y:y + side, x:x + side])
                result = self._landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=crop))
                for face in result.face_landmarks:
                    lm = np.array([(p.x, p.y, p.z) for p in face], np.float32) * np.array(
                        [crop.shape[1], crop.shape[0], crop.shape[1]], np.float32)
                    lm[:, 0] += x
                    lm[:, 1] += y
                    # the same face seen from two overlapping crops: keep the first
                    if all(np.linalg.norm(lm[1, :2] - other[1, :2]) > 0.25 * np.ptp(lm[:, 0]) for other in found):
                        found.append(lm)
                if len(found) >= self.settings.num_faces:
                    return Faces.from_landmarks(np.stack(found), pixels.shape)
        if not found:
            return Faces.empty()
        return Faces.from_landmarks(np.stack(found[: self.settings.num_faces]), pixels.shape)

    def _to_faces(self, result, shape: tuple[int, ...], t: float) -> Faces:
        h, w = shape[:2]
        if not result.face_landmarks:
            if self._filter is not None:
                self._filter.reset()
            return Faces.empty()
        lm = np.array(
            [[(p.x, p.y, p.z) for p in face] for face in result.face_landmarks], dtype=np.float32
        )
        lm *= np.array([w, h, w], dtype=np.float32)
        if self._filter is not None:
            lm = self._filter(lm, t)
        blend = None
        if self.settings.blendshapes and result.face_blendshapes:
            blend = np.array(
                [[c.score for c in face][:N_BLENDSHAPES] for face in result.face_blendshapes],
                dtype=np.float32,
            )
        matrices = None
        if self.settings.head_pose and result.facial_transformation_matrixes:
            matrices = np.array(result.facial_transformation_matrixes, dtype=np.float32)
        return Faces.from_landmarks(lm, shape, blend, matrices)

    def close(self) -> None:
        """Release MediaPipe's graph."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: MediaPipe's C side may be gone
            pass


def blendshape_names() -> list[str]:
    """MediaPipe's 52 blendshape category names, in score order."""
    return list(_BLENDSHAPE_NAMES)


_BLENDSHAPE_NAMES = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft",
    "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
    "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft",
    "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen",
    "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower",
    "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)
