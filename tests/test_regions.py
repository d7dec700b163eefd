"""Face regions and their masks on the real sample face."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import pyfame as pf
from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.samples import sample_face
from pyfame.face import regions as L


@pytest.fixture(scope="module")
def face():
    image = sample_face()
    with FaceTracker(mode="image") as tracker:
        return image, tracker.track(image)


def centre(faces, loop):
    return faces.landmarks[0, list(loop), :2].mean(axis=0)


def value_at(mask, xy):
    return float(mask[int(round(xy[1])), int(round(xy[0]))])


def test_create_path():
    assert L.create_path([1, 12, 20]) == [(1, 12), (12, 20), (20, 1)]
    with pytest.raises(PyfameValueError):
        L.create_path([1, 2])
    with pytest.raises(PyfameValueError):
        L.create_path([1, 2, 999])


def test_every_constant_is_exported_and_resolves():
    for name in L.PATH_CONSTANT_NAMES:
        assert L.resolve_regions(getattr(pf, name))
    for name, value in L.MASK_CONSTANT_NAMES.items():
        assert getattr(pf, name) == value
        assert L.resolve_regions(value)[0].name


@pytest.mark.parametrize(
    "region, inside, outside",
    [
        (L.FACE_SKIN_PATH, [1, 205, 425, 151], [468, 473, 13]),  # nose tip, cheeks, forehead | irises, lips gap
        (L.CHEEKS_PATH, [205, 425], [1, 468, 473, 13]),
        (L.NOSE_PATH, [1, 4, 5], [205, 425, 468]),
        (L.FOREHEAD_PATH, [151, 108, 337], [168, 468, 1]),
        (L.CHIN_PATH, [175, 199], [13, 1]),
        (L.MOUTH_PATH, [13, 14], [1, 175]),
        (L.BOTH_EYES_PATH, [468, 473], [1, 151]),
    ],
)
def test_regions_cover_what_their_names_say(face, region, inside, outside):
    image, faces = face
    mask = region_mask(faces, region, image.shape).full()
    for i in inside:
        assert value_at(mask, faces.landmarks[0, i]) > 0.9, f"landmark {i} should be inside"
    for i in outside:
        assert value_at(mask, faces.landmarks[0, i]) < 0.1, f"landmark {i} should be outside"


def test_lips_exclude_the_mouth_opening(face):
    image, faces = face
    lips = region_mask(faces, L.LIPS_PATH, image.shape).full()
    mouth = region_mask(faces, L.MOUTH_PATH, image.shape).full()
    assert lips.sum() < mouth.sum()
    # the smiling sample shows her teeth: the gap between the inner lips is in MOUTH, not LIPS
    gap = (faces.landmarks[0, 13, :2] + faces.landmarks[0, 14, :2]) / 2
    assert value_at(mouth, gap) > 0.9 and value_at(lips, gap) < 0.1


def test_hemi_faces_split_the_oval_on_the_subjects_sides(face):
    image, faces = face
    oval = region_mask(faces, L.FACE_OVAL_MASK, image.shape).full()
    left = region_mask(faces, L.HEMI_FACE_LEFT_MASK, image.shape).full()
    right = region_mask(faces, L.HEMI_FACE_RIGHT_MASK, image.shape).full()
    assert np.abs(left + right - oval).max() < 0.01
    assert (left * right).sum() < 0.01 * oval.sum()
    # the subject's left eye (473) is on the image's right
    assert value_at(left, faces.landmarks[0, 473]) > 0.9 and value_at(right, faces.landmarks[0, 468]) > 0.9
    top = region_mask(faces, L.HEMI_FACE_TOP_MASK, image.shape).full()
    bottom = region_mask(faces, L.HEMI_FACE_BOTTOM_MASK, image.shape).full()
    assert value_at(top, faces.landmarks[0, 468]) > 0.9 and value_at(bottom, faces.landmarks[0, 13]) > 0.9


def test_hemi_cut_turns_with_the_head(face):
    image, faces = face
    m = cv2.getRotationMatrix2D((256, 256), 30, 1.0)
    rotated = cv2.warpAffine(image, m, (512, 512))
    with FaceTracker(mode="image") as tracker:
        turned = tracker.track(rotated)
    left = region_mask(turned, L.HEMI_FACE_LEFT_MASK, rotated.shape).full()
    # points just beside the turned midline, on each side, follow the rotation
    lm = turned.landmarks[0]
    assert value_at(left, lm[473]) > 0.9 and value_at(left, lm[468]) < 0.1
    assert value_at(left, lm[152] * 0.5 + lm[361] * 0.5) > 0.9


def test_mask_is_local_and_feather_grows_it(face):
    image, faces = face
    crisp = region_mask(faces, L.CHEEKS_PATH, image.shape)
    soft = region_mask(faces, L.CHEEKS_PATH, image.shape, feather_px=8)
    x0, y0, x1, y1 = crisp.box
    assert (x1 - x0) < 200 and (y1 - y0) < 200  # the face's box, not the frame
    assert soft.box[0] < x0 and soft.box[2] > x1
    a, b = crisp.full(), soft.full()
    assert b.sum() == pytest.approx(a.sum(), rel=0.1)
    ring = (a == 0) & (b > 0.01)
    assert ring.any()
    assert ((b > 0) & (b < 1)).sum() > ((a > 0) & (a < 1)).sum()


def test_no_face_is_an_empty_mask():
    m = region_mask(Faces.empty(), L.CHEEKS_PATH, (100, 120, 3))
    assert m.empty and m.full().shape == (100, 120) and not m.full().any()


def test_two_faces_are_both_masked(face):
    image, faces = face
    two = Faces.from_landmarks(np.concatenate([faces.landmarks, faces.landmarks + [100, 0, 0]]), (512, 700))
    m = region_mask(two, L.NOSE_PATH, (512, 700)).full()
    tip = faces.landmarks[0, 1]
    assert value_at(m, tip) > 0.9 and value_at(m, tip + [100, 0, 0]) > 0.9


@pytest.mark.parametrize(
    "bad, error",
    [(None, PyfameTypeError), (3.5, PyfameTypeError), ([], PyfameValueError), (999, PyfameValueError),
     ("cheekz", PyfameValueError), ([(1, 2), (2, 900)], PyfameValueError), ([[1, 2]], PyfameValueError),
     (True, PyfameTypeError)],
)
def test_bad_regions_name_the_parameter(bad, error):
    with pytest.raises(error, match="landmark_regions"):
        L.resolve_regions(bad)


def test_names_and_custom_paths():
    assert [r.name for r in L.resolve_regions(["Cheeks", "NOSE_PATH", L.FACE_OVAL_MASK])] == ["cheeks", "nose", "face_oval"]
    custom = L.resolve_regions(L.create_path([1, 2, 3]))
    assert custom[0].include == ((1, 2, 3),) and custom[0].name == "loop:1-2-3"
    assert L.resolve_regions("cheeks+loop:1-2-3") == [L.CHEEKS_PATH, custom[0]]
    assert L.region_name([L.CHEEKS_PATH, L.NOSE_PATH]) == "cheeks+nose"


@pytest.mark.parametrize("feather", [5e-324, 1e-9, 0.3])
def test_a_vanishing_feather_is_a_crisp_mask_not_an_error(face, feather):
    """Found by Hypothesis: feather_px=5e-324 halves to a sigma of 0, which OpenCV refused."""
    image, faces = face
    crisp = region_mask(faces, L.CHEEKS_PATH, image.shape).full()
    soft = region_mask(faces, L.CHEEKS_PATH, image.shape, feather_px=feather).full()
    assert np.abs(soft - crisp).max() < (0.5 if feather == 0.3 else 1e-6)
