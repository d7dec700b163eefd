"""What happens to a frame without a face: pass, drop, fail, or hold the last face.

Examples
--------
>>> from pyfame.face.faces import Faces
>>> policy = NoFacePolicy("drop")
>>> faces, keep = policy.decide(Faces.empty(), index=0, t=0.0, source="clip.mp4")
>>> faces.count, keep
(0, False)
"""

from __future__ import annotations

import logging

from pyfame.errors import FaceNotFoundError
from pyfame.face.faces import Faces

log = logging.getLogger(__name__)

#: With ``"hold"``, the last face found stands in for at most this many seconds.
HOLD_SECONDS = 0.5


class NoFacePolicy:
    """Decide, frame by frame, which faces the layers get and whether the frame is written.

    ``"pass"``: the frame goes through unchanged (layers that need a face skip it);
    ``"drop"``: it is left out of the output; ``"fail"``: ``FaceNotFoundError``; ``"hold"``:
    the last face found is used if it was at most :data:`HOLD_SECONDS` earlier, else as
    ``"pass"``. The frames without a face and those held are recorded.
    """

    def __init__(self, policy: str = "pass") -> None:
        self.policy = policy
        self.without_face: list[int] = []
        self.held: list[int] = []
        self.with_face = 0
        self._last: Faces | None = None
        self._last_t = 0.0

    def decide(self, faces: Faces, index: int, t: float, source: object) -> tuple[Faces, bool]:
        """``(faces for the layers, keep the frame)`` for one tracked frame."""
        if faces:
            self.with_face += 1
            self._last, self._last_t = faces, t
            return faces, True
        self.without_face.append(index)
        log.info("%s: no face in frame %d (t=%.3fs)", source, index, t)
        if self.policy == "fail":
            raise FaceNotFoundError(f"{source}: no face in frame {index} (t={t:.3f}s) and no_face='fail'")
        if self.policy == "hold" and self._last is not None and t - self._last_t <= HOLD_SECONDS:
            self.held.append(index)
            return self._last, True
        return faces, self.policy != "drop"


def require_a_face(policy: NoFacePolicy, kind: str, source: object, frames: int) -> None:
    """Whatever the policy, a file in which no frame has a face is a
    :class:`~pyfame.errors.FaceNotFoundError` naming it (nothing is written).

    Examples
    --------
    >>> require_a_face(NoFacePolicy("pass"), "image", "face.png", 1)
    Traceback (most recent call last):
    ...
    pyfame.errors.FaceNotFoundError: face.png: no face found in the image
    """
    if policy.with_face == 0:
        raise FaceNotFoundError(f"{source}: no face found in "
                                + ("the image" if kind == "image" else f"any of its {frames} frames"))
