"""Faces found in one frame: landmarks in pixels, boxes, and optional extras."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_LANDMARKS = 478
N_BLENDSHAPES = 52


@dataclass
class Faces:
    """The faces the tracker found in one frame.

    Parameters
    ----------
    landmarks : numpy.ndarray
        float32 ``(n_faces, 478, 3)``: x and y in pixels of the frame, z in the same
        scale as x (MediaPipe's relative depth multiplied by the frame width).
    boxes : numpy.ndarray
        int32 ``(n_faces, 4)``: ``x0, y0, x1, y1`` of each face's landmarks, clipped to the
        frame, end-exclusive (``pixels[y0:y1, x0:x1]`` is the face).
    blendshapes : numpy.ndarray or None
        float32 ``(n_faces, 52)`` blendshape scores in MediaPipe's order, when asked for.
    matrices : numpy.ndarray or None
        float32 ``(n_faces, 4, 4)`` facial transformation matrices, when asked for.
    hairline : numpy.ndarray or None
        float32 ``(n_faces, 29, 2)``: where each face's forehead ends, in pixels, from the
        subject's right temple to the left (:mod:`pyfame.face.hairline`); found by the
        tracker on the frame's pixels. None for faces made from landmarks alone: regions that
        reach the hairline then stop at the mesh's face oval.

    Examples
    --------
    >>> f = Faces.empty()
    >>> f.count, bool(f)
    (0, False)
    """

    landmarks: np.ndarray
    boxes: np.ndarray
    blendshapes: np.ndarray | None = None
    matrices: np.ndarray | None = None
    hairline: np.ndarray | None = None

    @classmethod
    def empty(cls) -> Faces:
        """No face."""
        return cls(
            np.zeros((0, N_LANDMARKS, 3), np.float32),
            np.zeros((0, 4), np.int32),
        )

    @classmethod
    def from_landmarks(
        cls,
        landmarks: np.ndarray,
        frame_shape: tuple[int, ...],
        blendshapes: np.ndarray | None = None,
        matrices: np.ndarray | None = None,
        hairline: np.ndarray | None = None,
    ) -> Faces:
        """Build Faces from pixel landmarks (and hairlines), computing each face's bounding box."""
        landmarks = np.ascontiguousarray(landmarks, dtype=np.float32).reshape(-1, N_LANDMARKS, 3)
        if hairline is not None:
            hairline = np.ascontiguousarray(hairline, dtype=np.float32).reshape(landmarks.shape[0], -1, 2)
        return cls(landmarks, boxes_of(landmarks, frame_shape, hairline), blendshapes, matrices, hairline)

    def subset(self, index: int) -> Faces:
        """One face of these, as Faces (its extras kept)."""
        pick = slice(index, index + 1)
        return Faces(self.landmarks[pick], self.boxes[pick],
                     None if self.blendshapes is None else self.blendshapes[pick],
                     None if self.matrices is None else self.matrices[pick],
                     None if self.hairline is None else self.hairline[pick])

    @property
    def count(self) -> int:
        """Number of faces."""
        return int(self.landmarks.shape[0])

    def __bool__(self) -> bool:
        return self.count > 0

    def union_box(self) -> tuple[int, int, int, int] | None:
        """The smallest box holding every face, or None when there is no face."""
        if not self:
            return None
        b = self.boxes
        return (int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max()))


def boxes_of(landmarks: np.ndarray, frame_shape: tuple[int, ...], hairline: np.ndarray | None = None) -> np.ndarray:
    """Bounding boxes ``(n, 4)`` of landmark sets (and their hairlines), clipped to a frame of
    ``frame_shape``."""
    h, w = int(frame_shape[0]), int(frame_shape[1])
    if landmarks.shape[0] == 0:
        return np.zeros((0, 4), np.int32)
    xy = landmarks[:, :, :2]
    if hairline is not None:
        xy = np.concatenate([xy, hairline.astype(np.float32)], axis=1)
    lo = np.floor(xy.min(axis=1)).astype(np.int64)
    hi = np.ceil(xy.max(axis=1)).astype(np.int64) + 1
    boxes = np.stack(
        [
            np.clip(lo[:, 0], 0, w),
            np.clip(lo[:, 1], 0, h),
            np.clip(hi[:, 0], 0, w),
            np.clip(hi[:, 1], 0, h),
        ],
        axis=1,
    )
    return boxes.astype(np.int32)
