"""The sample face PyFAME ships, and test and demo media made from it."""

from pyfame.samples.moving_face import (
    moving_face_transforms,
    sample_face,
    write_moving_face_video,
    write_noise_video,
    write_sample_image,
    write_sample_stills,
)

__all__ = [
    "moving_face_transforms",
    "sample_face",
    "write_moving_face_video",
    "write_noise_video",
    "write_sample_image",
    "write_sample_stills",
]
