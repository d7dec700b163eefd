"""The contract every registered layer keeps, tested from its declaration alone.

Parametrised over ``registered("layer")`` (PyFAME's own and installed plugins'), so a new
layer is tested the day it is added: its declaration is complete, every declared bound and
choice is enforced with the parameter named, it round-trips through ``to_dict``/YAML/JSON,
the same seed gives the same pixels, frames without a face follow the policy, stills and
videos work, and (for region layers) pixels outside its regions stay bit for bit, on
property-based frames.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyfame.errors import PyfameError, PyfameTypeError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.pipeline.layer import SourceInfo
from pyfame.pipeline.layer_stack import LayerStack
from pyfame.pipeline.params import Choice, Integer, Number, Optional
from pyfame.pipeline.registry import build, registered
from pyfame.samples import sample_face

LAYERS = [cls for cls in registered("layer").values() if not cls.__module__.startswith("tests")]
IDS = [cls.name for cls in LAYERS]


@pytest.fixture(scope="module")
def face():
    """The sample face and its tracked faces (tracked once)."""
    from pyfame.face.tracker import FaceTracker

    pixels = sample_face()
    with FaceTracker(mode="image") as tracker:
        return pixels, tracker.track(pixels)


def _bounded(kind):
    inner = kind.kind if isinstance(kind, Optional) else kind
    return inner if isinstance(inner, (Number, Integer)) else None


def test_every_layer_is_registered_and_named_once():
    assert len(LAYERS) >= 14
    names = [cls.name for cls in LAYERS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("cls", LAYERS, ids=IDS)
def test_declaration_is_complete(cls):
    assert cls.__doc__ and cls.__doc__.strip(), f"{cls.name} has no docstring"
    assert cls.subfolder and "/" not in cls.subfolder
    for p in cls.parameters.values():
        assert p.help.strip(), f"{cls.name}.{p.name} has no help"
        assert p.name.isidentifier()
        p.check(p.default_value())  # every default is valid
    cls()  # every layer can be made with its defaults


def test_layers_sharing_a_subfolder_never_write_the_same_file():
    seen: dict[tuple[str, str], str] = {}
    for cls in LAYERS:
        key = (cls.subfolder, cls.output_tag)
        assert key not in seen, f"{cls.name} and {seen[key]} would write the same files in {cls.subfolder}/"
        seen[key] = cls.name


def _outside_values(kind):
    out = []
    if kind.low is not None:
        out.append(kind.low - (1 if isinstance(kind, Integer) else 1e-6 * max(1.0, abs(kind.low))))
        if isinstance(kind, Number) and kind.low_open:
            out.append(kind.low)
    if kind.high is not None:
        out.append(kind.high + (1 if isinstance(kind, Integer) else 1e-6 * max(1.0, abs(kind.high))))
        if isinstance(kind, Number) and kind.high_open:
            out.append(kind.high)
    return out


CASES = [(cls, p) for cls in LAYERS for p in cls.parameters.values()]


@pytest.mark.parametrize("cls, param", CASES, ids=[f"{c.name}.{p.name}" for c, p in CASES])
def test_each_declared_bound_and_choice_is_enforced(cls, param):
    kind = _bounded(param.kind)
    inner = param.kind.kind if isinstance(param.kind, Optional) else param.kind
    if kind is not None:
        for value in _outside_values(kind):
            with pytest.raises(PyfameValueError) as caught:
                cls(**{param.name: value})
            assert caught.value.param == param.name and param.name in str(caught.value)
        for bad in (float("nan"), float("inf")):
            with pytest.raises(PyfameError) as caught:
                cls(**{param.name: bad})
            assert caught.value.param == param.name
        with pytest.raises(PyfameTypeError) as caught:
            cls(**{param.name: True})  # a bool is not a number
        assert caught.value.param == param.name
        numpy_value = np.float32(param.default) if isinstance(kind, Number) else np.int64(param.default)
        if param.default is not None:
            cls(**{param.name: numpy_value})  # NumPy scalars are numbers
    if isinstance(inner, Choice):
        with pytest.raises(PyfameValueError) as caught:
            cls(**{param.name: "no-such-option"})
        assert caught.value.param == param.name


@pytest.mark.parametrize("cls", LAYERS, ids=IDS)
def test_unknown_parameter_names_the_layer_and_the_parameter(cls):
    first = next(iter(cls.parameters), "x")
    with pytest.raises(PyfameTypeError) as caught:
        cls(**{first + "x": 1})
    assert caught.value.param == first + "x" and cls.name in str(caught.value)


@pytest.mark.parametrize("cls", LAYERS, ids=IDS)
def test_round_trip_through_dict_yaml_and_json(cls):
    layer = cls()
    data = layer.to_dict()
    assert data["type"] == cls.name
    assert build(data, "layer").to_dict() == data
    assert cls.from_dict(yaml.safe_load(yaml.safe_dump(data))).to_dict() == data
    assert build(json.loads(json.dumps(data)), "layer").to_dict() == data
    assert repr(layer) == f"{cls.__name__}()"


def _run(layer, frames, faces_per_frame, seed=3, kind="video", no_face="pass"):
    stack = LayerStack([layer], [], seed, no_face)
    h, w = frames[0].shape[:2]
    stack.start(SourceInfo(kind, w, h, None if kind == "image" else 10.0, len(frames),
                           0.0 if kind == "image" else len(frames) / 10.0))
    return [stack.process(f.copy(), faces, i, i / 10.0) for i, (f, faces) in enumerate(zip(frames, faces_per_frame))]


def _moved(faces, dx):
    lm = faces.landmarks.copy()
    lm[..., 0] += dx
    return Faces.from_landmarks(lm, (512, 512))


def _clip(face):
    pixels, faces = face
    frames, per_frame = [], []
    for dx in (0, 3, 6):
        frames.append(np.roll(pixels, dx, axis=1))
        per_frame.append(_moved(faces, dx))
    return frames, per_frame


@pytest.mark.parametrize("cls", LAYERS, ids=IDS)
def test_same_seed_same_pixels_on_stills_and_videos(cls, face):
    pixels, faces = face
    layer = cls()
    if layer.accepts("image") is None:
        a = _run(cls(), [pixels], [faces], kind="image")
        b = _run(cls(), [pixels], [faces], kind="image")
        assert a[0].shape == pixels.shape and a[0].dtype == np.uint8
        assert np.array_equal(a[0], b[0])
    if layer.accepts("video") is None:
        frames, per_frame = _clip(face)
        a = _run(cls(), frames, per_frame)
        b = _run(cls(), frames, per_frame)
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
        assert all(x.shape == pixels.shape and x.dtype == np.uint8 for x in a)


@pytest.mark.parametrize("cls", LAYERS, ids=IDS)
def test_frames_without_a_face_follow_the_policy(cls, face):
    pixels, faces = face
    noise = np.random.default_rng(0).integers(0, 256, pixels.shape, dtype=np.uint8)
    frames = [pixels, noise, pixels]
    per_frame = [faces, Faces.empty(), faces]
    passed = _run(cls(), frames, per_frame)
    if cls().needs_face:
        assert np.array_equal(passed[1], noise)  # "pass": the frame goes through unchanged
    dropped = _run(cls(), frames, per_frame, no_face="drop")
    assert dropped[1] is None and dropped[0] is not None
    with pytest.raises(PyfameError):
        _run(cls(), frames, per_frame, no_face="fail")
    held = _run(cls(), frames, per_frame, no_face="hold")
    assert held[1] is not None and held[1].shape == pixels.shape


def _default_variants(cls):
    """The layer at its defaults, and at its defaults with each choice of each choice parameter."""
    yield {}
    for p in cls.parameters.values():
        if isinstance(p.kind, Choice):
            for name in p.kind.names:
                if name != p.default_data():
                    yield {p.name: name}


VARIANTS = [(cls, kw) for cls in LAYERS for kw in _default_variants(cls)]


@pytest.mark.parametrize("cls, kwargs", VARIANTS,
                         ids=[f"{c.name}{''.join(f'-{v}' for v in kw.values())}" for c, kw in VARIANTS])
def test_defaults_make_a_visible_change(cls, kwargs, face):
    """A default that looks like nothing is a bug (Gaussian noise of SD 0.5 levels, features
    shifted by 0): at its defaults (and with each method), a layer changes at least 1% of the
    sample face's box by more than 8 levels."""
    pixels, faces = face
    layer = cls(**kwargs)
    if layer.accepts("image") is None:
        outs, inputs = _run(layer, [pixels], [faces], kind="image"), [pixels]
    else:
        inputs, per_frame = _clip(face)
        outs = _run(layer, inputs, per_frame)
    x0, y0, x1, y1 = faces.boxes[0]
    share = max((np.abs(o[y0:y1, x0:x1].astype(int) - i[y0:y1, x0:x1]).max(axis=2) > 8).mean()
                for o, i in zip(outs, inputs))
    assert share >= 0.01, f"{cls.name}({kwargs}) changes {share:.1%} of the face's box by more than 8 levels"


@pytest.mark.parametrize("cls", LAYERS, ids=IDS)
def test_every_real_valued_parameter_states_its_unit(cls):
    for p in cls.parameters.values():
        kind = p.kind.kind if isinstance(p.kind, Optional) else p.kind
        if isinstance(kind, Number):
            assert p.unit, f"{cls.name}.{p.name} has no unit"
            assert f"Unit: {p.unit}." in (cls.__doc__ or ""), f"{cls.name}'s docstring leaves out {p.name}'s unit"


REGION_LAYERS = [cls for cls in LAYERS if cls().covered_regions() is not None]


@pytest.mark.parametrize("cls", REGION_LAYERS, ids=[c.name for c in REGION_LAYERS])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dx=st.integers(-120, 120), dy=st.integers(-80, 80), scale=st.floats(0.6, 1.2),
       size=st.sampled_from([(512, 512), (480, 640), (301, 257)]), seed=st.integers(0, 2**31))
def test_region_layers_change_nothing_outside_their_regions(cls, face, dx, dy, scale, size, seed):
    import cv2

    from pyfame.face.region_mask import region_mask

    pixels, faces = face
    h, w = size
    m = np.array([[scale, 0, dx + (w - 512 * scale) / 2], [0, scale, dy + (h - 512 * scale) / 2]], np.float32)
    frame = cv2.warpAffine(pixels, m, (w, h))
    lm = faces.landmarks.copy()
    lm[..., :2] = lm[..., :2] * scale + m[:, 2]
    hairline = None if faces.hairline is None else faces.hairline * scale + m[:, 2]
    moved = Faces.from_landmarks(lm, frame.shape, hairline=hairline)
    if not moved or moved.boxes[0, 2] - moved.boxes[0, 0] < 20:
        return
    layer = cls()
    (out,) = _run(layer, [frame], [moved], seed=seed, kind="image")
    assert out.shape == frame.shape and out.dtype == np.uint8
    feather_px, feather_iod = getattr(layer, "feather_px", 0.0), getattr(layer, "feather_iod", 0.0)
    mask = region_mask(moved, layer.covered_regions(), frame.shape, feather_px, feather_iod).full() > 0
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2).astype(bool)
    assert np.array_equal(out[~grown], frame[~grown]), "pixels outside the layer's regions changed"
