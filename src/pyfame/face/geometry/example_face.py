"""The sample face with its tracked mesh, tracked once per process: for examples and tests.

Examples
--------
>>> face = example_face()
>>> face.image.shape, face.landmarks.shape
((512, 512, 3), (478, 3))
"""

from __future__ import annotations

from functools import lru_cache

from pyfame.face.geometry.face_image import FaceImage


def example_face() -> FaceImage:
    """The sample face (:func:`pyfame.samples.sample_face`) and its mesh (a fresh copy)."""
    face = _tracked_sample_face()
    return FaceImage(face.image.copy(), face.landmarks.copy())


@lru_cache(maxsize=1)
def _tracked_sample_face() -> FaceImage:
    from pyfame.errors import FaceNotFoundError
    from pyfame.face.tracker import FaceTracker
    from pyfame.samples import sample_face

    image = sample_face()
    with FaceTracker(mode="image") as tracker:
        faces = tracker.track(image)
    if not faces:  # pragma: no cover - the shipped sample always has its face
        raise FaceNotFoundError("the sample face was not found")
    return FaceImage(image, faces.landmarks[0].copy())
