"""Face regions over the 478-point MediaPipe face mesh, and the mask types built from them.

A *path* is a closed loop of landmark indices written as ``(a, b)`` pairs, as the seed API
has it: ``create_path([1, 12, 20]) == [(1, 12), (12, 20), (20, 1)]``. A :class:`Region` is
what gets rasterised: the union of some paths, minus others (``FACE_SKIN_PATH`` is the face
oval minus the eyes, brows and mouth), optionally cut to one half of the face along a line
that turns with the head (the hemi-face masks).

"Left" and "right" are the *subject's* left and right, as in MediaPipe: on a frontal face
the subject's left eye is on the image's right.

Examples
--------
>>> create_path([1, 12, 20])
[(1, 12), (12, 20), (20, 1)]
>>> [r.name for r in resolve_regions([FACE_SKIN_PATH, "nose"])]
['face_skin', 'nose']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyfame.errors import PyfameError, PyfameTypeError, PyfameValueError
from pyfame.validation import is_bool, is_integer

N_LANDMARKS = 478
Path = list[tuple[int, int]]


def create_path(landmark_set: Sequence[int]) -> Path:
    """Close a sequence of landmark indices into a path of ``(a, b)`` pairs.

    Examples
    --------
    >>> create_path([4, 5, 6])
    [(4, 5), (5, 6), (6, 4)]
    """
    items = list(landmark_set)
    if len(items) < 3:
        raise PyfameValueError(f"landmark_set needs at least 3 landmarks, got {len(items)}", param="landmark_set")
    for i in items:
        if not is_integer(i) or not 0 <= i < N_LANDMARKS:
            raise PyfameValueError(f"landmark_set: {i!r} is not a landmark index in 0..{N_LANDMARKS - 1}",
                                   param="landmark_set")
    items = [int(i) for i in items]
    return [(items[k], items[(k + 1) % len(items)]) for k in range(len(items))]


def path_loop(path: Iterable[tuple[int, int]]) -> list[int]:
    """The ordered landmark indices of a closed path (``[(1, 12), (12, 20), (20, 1)]`` → ``[1, 12, 20]``)."""
    return [a for a, _ in path]


@dataclass(frozen=True)
class Region:
    """A face region: include paths, minus exclude paths, optionally one side of the face.

    Parameters
    ----------
    name : str
        Short name (used in tables, sidecars and the CLI).
    include : tuple of tuple of int
        Closed index loops whose union is the region.
    exclude : tuple of tuple of int
        Closed index loops cut out of it.
    side : {None, "left", "right", "top", "bottom"}
        Keep only this half of the face. Left/right are cut along the face's midline
        (landmarks 10 → 152), top/bottom along the perpendicular through the face's centre
        (midway between 10 and 152); both turn with the head.
    reach_hairline : bool
        Where a loop runs along the face oval's upper arc, follow the face's hairline
        instead (found on each frame, :mod:`pyfame.face.hairline`), so the forehead is
        whole. The face oval, face skin, forehead and hemi-face regions do; the mesh's own
        oval is ``FACE_OVAL_MESH_PATH``.
    """

    name: str
    include: tuple[tuple[int, ...], ...]
    exclude: tuple[tuple[int, ...], ...] = field(default=())
    side: str | None = None
    reach_hairline: bool = False

    def __repr__(self) -> str:
        constant = next((c for c, n in PATH_CONSTANT_NAMES.items() if n == self.name), None)
        return constant or f"Region({self.name!r})"

    @property
    def landmark_indices(self) -> list[int]:
        """Every landmark index the region's include loops use."""
        return sorted({i for loop in self.include for i in loop})


# ---- loops (ordered landmark indices) -------------------------------------------------
_FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
              400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54,
              103, 67, 109)
_LIPS_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37,
               39, 40, 185)
_LIPS_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82,
               81, 80, 191)
_RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
_LEFT_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
_RIGHT_EYEBROW = (55, 65, 52, 53, 46, 70, 63, 105, 66, 107)
_LEFT_EYEBROW = (285, 295, 282, 283, 276, 300, 293, 334, 296, 336)
_RIGHT_IRIS = (469, 470, 471, 472)
_LEFT_IRIS = (474, 475, 476, 477)
_NOSE = (168, 193, 122, 196, 3, 51, 134, 131, 49, 129, 64, 98, 97, 2, 326, 327, 294, 358, 279,
         360, 363, 281, 248, 419, 351, 417)
_FOREHEAD = (10, 338, 297, 332, 284, 300, 293, 334, 296, 336, 9, 107, 66, 105, 63, 70, 54, 103,
             67, 109)
_RIGHT_CHEEK = (116, 117, 118, 119, 120, 121, 47, 126, 142, 203, 206, 216, 212, 214, 192, 213,
                147, 123)
_LEFT_CHEEK = (345, 346, 347, 348, 349, 350, 277, 355, 371, 423, 426, 436, 432, 434, 416, 433,
               376, 352)
_CHIN = (211, 194, 83, 18, 313, 418, 431, 379, 378, 400, 377, 152, 148, 176, 149, 150)
_RIGHT_UNDER_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 243, 128, 121, 120, 119, 118, 117,
                    111, 35, 130)
_LEFT_UNDER_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 463, 357, 350, 349, 348, 347,
                   346, 340, 265, 359)
_RIGHT_NASOLABIAL = (129, 203, 206, 216, 212, 57, 186, 92, 165, 98)
_LEFT_NASOLABIAL = (358, 423, 426, 436, 432, 287, 410, 322, 391, 327)

# ---- the seed's path constants ---------------------------------------------------------
FACE_OVAL_PATH: Path = create_path(_FACE_OVAL)
LEFT_EYE_PATH: Path = create_path(_LEFT_EYE)
RIGHT_EYE_PATH: Path = create_path(_RIGHT_EYE)
LEFT_IRIS_PATH: Path = create_path(_LEFT_IRIS)
RIGHT_IRIS_PATH: Path = create_path(_RIGHT_IRIS)
LEFT_EYEBROW_PATH: Path = create_path(_LEFT_EYEBROW)
RIGHT_EYEBROW_PATH: Path = create_path(_RIGHT_EYEBROW)
NOSE_PATH: Path = create_path(_NOSE)
MOUTH_PATH: Path = create_path(_LIPS_OUTER)
FOREHEAD_PATH: Path = create_path(_FOREHEAD)
LEFT_CHEEK_PATH: Path = create_path(_LEFT_CHEEK)
RIGHT_CHEEK_PATH: Path = create_path(_RIGHT_CHEEK)
CHIN_PATH: Path = create_path(_CHIN)

# Composite regions are Region objects; they are used like the paths above.
FACE_SKIN_PATH = Region(
    "face_skin", (_FACE_OVAL,),
    (_LEFT_EYE, _RIGHT_EYE, _LEFT_EYEBROW, _RIGHT_EYEBROW, _LIPS_OUTER), reach_hairline=True,
)
#: MediaPipe's face oval as the mesh has it: its top is a few centimetres below the hairline
#: (the face oval of PyFAME 0.2 and of other tools). ``FACE_OVAL_PATH`` reaches the hairline.
FACE_OVAL_MESH_PATH = Region("face_oval_mesh", (_FACE_OVAL,))
BOTH_EYES_PATH = Region("both_eyes", (_LEFT_EYE, _RIGHT_EYE))
LIPS_PATH = Region("lips", (_LIPS_OUTER,), (_LIPS_INNER,))
CHEEKS_PATH = Region("cheeks", (_LEFT_CHEEK, _RIGHT_CHEEK))
UNDER_EYES_PATH = Region("under_eyes", (_LEFT_UNDER_EYE, _RIGHT_UNDER_EYE), (_LEFT_EYE, _RIGHT_EYE))
NASOLABIAL_PATH = Region("nasolabial", (_LEFT_NASOLABIAL, _RIGHT_NASOLABIAL))
CHEEKS_NOSE_PATH = Region("cheeks_nose", (_LEFT_CHEEK, _RIGHT_CHEEK, _NOSE))

# ---- mask types (the seed's integer flags) ----------------------------------------------
FACE_OVAL_MASK = 1
FACE_SKIN_MASK = 2
EYES_MASK = 3
IRISES_MASK = 4
LIPS_MASK = 5
HEMI_FACE_LEFT_MASK = 6
HEMI_FACE_RIGHT_MASK = 7
HEMI_FACE_TOP_MASK = 8
HEMI_FACE_BOTTOM_MASK = 9
EYES_NOSE_MOUTH_MASK = 10
CHEEKS_NOSE_MASK = 11
BOTH_EYES_MASK = 12
NOSE_MASK = 13
MOUTH_MASK = 14

MASK_REGIONS: dict[int, Region] = {
    FACE_OVAL_MASK: Region("face_oval", (_FACE_OVAL,), reach_hairline=True),
    FACE_SKIN_MASK: FACE_SKIN_PATH,
    EYES_MASK: Region("eyes", (_LEFT_EYE, _RIGHT_EYE, _LEFT_EYEBROW, _RIGHT_EYEBROW)),
    IRISES_MASK: Region("irises", (_LEFT_IRIS, _RIGHT_IRIS)),
    LIPS_MASK: LIPS_PATH,
    HEMI_FACE_LEFT_MASK: Region("hemi_face_left", (_FACE_OVAL,), side="left", reach_hairline=True),
    HEMI_FACE_RIGHT_MASK: Region("hemi_face_right", (_FACE_OVAL,), side="right", reach_hairline=True),
    HEMI_FACE_TOP_MASK: Region("hemi_face_top", (_FACE_OVAL,), side="top", reach_hairline=True),
    HEMI_FACE_BOTTOM_MASK: Region("hemi_face_bottom", (_FACE_OVAL,), side="bottom", reach_hairline=True),
    EYES_NOSE_MOUTH_MASK: Region("eyes_nose_mouth", (_LEFT_EYE, _RIGHT_EYE, _NOSE, _LIPS_OUTER)),
    CHEEKS_NOSE_MASK: CHEEKS_NOSE_PATH,
    BOTH_EYES_MASK: BOTH_EYES_PATH,
    NOSE_MASK: Region("nose", (_NOSE,)),
    MOUTH_MASK: Region("mouth", (_LIPS_OUTER,)),
}

_PATH_NAMES: dict[str, Path] = {
    "face_oval": FACE_OVAL_PATH,
    "left_eye": LEFT_EYE_PATH,
    "right_eye": RIGHT_EYE_PATH,
    "left_iris": LEFT_IRIS_PATH,
    "right_iris": RIGHT_IRIS_PATH,
    "left_eyebrow": LEFT_EYEBROW_PATH,
    "right_eyebrow": RIGHT_EYEBROW_PATH,
    "nose": NOSE_PATH,
    "mouth": MOUTH_PATH,
    "forehead": FOREHEAD_PATH,
    "left_cheek": LEFT_CHEEK_PATH,
    "right_cheek": RIGHT_CHEEK_PATH,
    "chin": CHIN_PATH,
}

#: Paths whose loop runs along the oval's upper arc and that reach the hairline.
_TO_HAIRLINE = ("face_oval", "forehead")

#: Every predefined region by name (paths and mask types; names are lower case).
REGION_NAMES: dict[str, Region] = {
    **{name: Region(name, (tuple(path_loop(p)),), reach_hairline=name in _TO_HAIRLINE)
       for name, p in _PATH_NAMES.items()},
    **{r.name: r for r in (FACE_SKIN_PATH, FACE_OVAL_MESH_PATH, BOTH_EYES_PATH, LIPS_PATH, CHEEKS_PATH,
                           UNDER_EYES_PATH, NASOLABIAL_PATH, CHEEKS_NOSE_PATH)},
    **{r.name: r for r in MASK_REGIONS.values()},
}

#: Names of the seed's path constants, for sidecars and docs.
PATH_CONSTANT_NAMES: dict[str, str] = {
    "FACE_OVAL_PATH": "face_oval", "FACE_OVAL_MESH_PATH": "face_oval_mesh", "FACE_SKIN_PATH": "face_skin",
    "FOREHEAD_PATH": "forehead",
    "LEFT_EYE_PATH": "left_eye", "RIGHT_EYE_PATH": "right_eye", "BOTH_EYES_PATH": "both_eyes",
    "LEFT_IRIS_PATH": "left_iris", "RIGHT_IRIS_PATH": "right_iris",
    "LEFT_EYEBROW_PATH": "left_eyebrow", "RIGHT_EYEBROW_PATH": "right_eyebrow",
    "NOSE_PATH": "nose", "MOUTH_PATH": "mouth", "LIPS_PATH": "lips",
    "LEFT_CHEEK_PATH": "left_cheek", "RIGHT_CHEEK_PATH": "right_cheek", "CHEEKS_PATH": "cheeks",
    "CHIN_PATH": "chin", "UNDER_EYES_PATH": "under_eyes", "NASOLABIAL_PATH": "nasolabial",
    "CHEEKS_NOSE_PATH": "cheeks_nose",
}
MASK_CONSTANT_NAMES: dict[str, int] = {
    name: value for name, value in globals().items() if name.endswith("_MASK") and isinstance(value, int)
}


def _from_pairs(value: Sequence[Any], parameter_name: str) -> Region:
    pairs = list(value)
    if all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
        loop = [p[0] for p in pairs]
    elif all(is_integer(p) for p in pairs):
        loop = pairs
    else:
        raise PyfameTypeError(
            f"{parameter_name}: a custom region must be a list of (a, b) index pairs or of "
            f"landmark indices, got {value!r:.80}"
        )
    for i in loop:
        if not is_integer(i) or not 0 <= i < N_LANDMARKS:
            raise PyfameValueError(f"{parameter_name}: {i!r} is not a landmark index in 0..{N_LANDMARKS - 1}")
    loop = [int(i) for i in loop]
    if len(loop) < 3:
        raise PyfameValueError(f"{parameter_name}: a region needs at least 3 landmarks, got {len(loop)}")
    for region in REGION_NAMES.values():  # give predefined paths their names
        if len(region.include) == 1 and not region.exclude and region.side is None and list(region.include[0]) == loop:
            return region
    return Region("loop:" + "-".join(str(i) for i in loop), (tuple(loop),))


def _one_region(value: Any, parameter_name: str) -> Region:
    if isinstance(value, Region):
        return value
    if is_bool(value):
        raise PyfameTypeError(f"{parameter_name}: expected a region, got bool")
    if is_integer(value):
        value = int(value)
        if value not in MASK_REGIONS:
            raise PyfameValueError(
                f"{parameter_name}: {value} is not a mask type (see display_mask_type_options())"
            )
        return MASK_REGIONS[value]
    if isinstance(value, str) and value.strip().lower().startswith("loop:"):
        try:
            loop = [int(v) for v in value.strip()[5:].split("-")]
        except ValueError as exc:
            raise PyfameValueError(f"{parameter_name}: {value!r} is not a loop of landmark indices") from exc
        return _from_pairs(loop, parameter_name)
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        for suffix in ("_path", "_mask"):
            if key.endswith(suffix) and key[: -len(suffix)] in REGION_NAMES:
                key = key[: -len(suffix)]
        if key not in REGION_NAMES:
            raise PyfameValueError(
                f"{parameter_name}: unknown region {value!r}; known: {', '.join(sorted(REGION_NAMES))}"
            )
        return REGION_NAMES[key]
    if isinstance(value, (list, tuple)):
        return _from_pairs(value, parameter_name)
    raise PyfameTypeError(f"{parameter_name}: expected a region, got {type(value).__name__}")


def _is_single_path(value: Any) -> bool:
    """A list of (a, b) pairs (one path) rather than a list of regions."""
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(p, tuple) and len(p) == 2 and all(is_integer(i) for i in p) for p in value)
    )


def resolve_regions(regions: Any, parameter_name: str = "landmark_regions") -> list[Region]:
    """Regions from what users pass: one or a list of path constants, Region objects,
    mask-type ints, names, or custom lists of index pairs / indices.

    Raises ``PyfameTypeError`` / ``PyfameValueError`` naming ``parameter_name``.

    Examples
    --------
    >>> [r.name for r in resolve_regions(FACE_OVAL_MASK)]
    ['face_oval']
    """
    try:
        return _resolve_regions(regions, parameter_name)
    except PyfameError as exc:
        exc.param = parameter_name  # the parameter, also when the message names one item of it
        raise


def _resolve_regions(regions: Any, parameter_name: str) -> list[Region]:
    if regions is None:
        raise PyfameTypeError(f"{parameter_name}: expected a region or a list of regions, got None")
    if isinstance(regions, str) and "+" in regions:
        return [_one_region(part, f"{parameter_name}[{i}]") for i, part in enumerate(regions.split("+"))]
    if isinstance(regions, (Region, int, str)) or is_integer(regions) or is_bool(regions) or _is_single_path(regions):
        return [_one_region(regions, parameter_name)]
    if not isinstance(regions, (list, tuple)):
        raise PyfameTypeError(f"{parameter_name}: expected a region or a list of regions, got {type(regions).__name__}")
    if not regions:
        raise PyfameValueError(f"{parameter_name}: the list of regions is empty")
    return [_one_region(r, f"{parameter_name}[{i}]") for i, r in enumerate(regions)]


def region_name(regions: Any) -> str:
    """A name that :func:`resolve_regions` turns back into the same regions: ``"cheeks+nose"``
    (custom regions appear as ``"loop:1-2-3"``)."""
    return "+".join(r.name for r in resolve_regions(regions))


__all__ = [  # noqa: PLE0604 - the constants' names are strings
    "create_path", "resolve_regions", "region_name", "Region", "REGION_NAMES",
    "MASK_REGIONS", *PATH_CONSTANT_NAMES, *MASK_CONSTANT_NAMES,
]
