"""Reverse-correlation noise (rcicr's layout), 2IFC pairs, and classification images recovered
from a simulated observer.

The observer: a planted template (two dark "eyes" and a light "mouth", Gaussian blobs on a
128x128 face); on each trial it computes the correlation of the noise with the template, adds
internal noise of the same SD, and chooses ori (1) when the sum is positive, else inv (-1).
Measured with 300 trials: the CI correlates 0.52-0.54 with the template (5 seeds of internal
noise; 0.60 for the noiseless observer), out of a ceiling of 0.68 for this template (the
correlation of the expected CI, the template seen through the noise basis, with the
template); and 0.75-0.80 (0.86 noiseless) with that expected CI. Asserted: > 0.45 (> 0.5
noiseless) and > 0.7. The noise_sd z-map peaks at |z| = 7.1 and correlates 0.54 with the
template.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pyfame.errors import FileReadError, ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.stimulus_control import reverse_correlation as rc

S = 128


@pytest.fixture(scope="module")
def base(face_set):
    return np.ascontiguousarray(face_set.images[0][16:16 + S, 16:16 + S])


@pytest.fixture(scope="module")
def face_mask(face_set):
    return np.ascontiguousarray(face_set.soft_masks[0][16:16 + S, 16:16 + S])


def planted_template() -> np.ndarray:
    yy, xx = np.mgrid[0:S, 0:S]

    def blob(cx, cy, s):
        return np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))

    t = -blob(44, 50, 10) - blob(84, 50, 10) + 1.2 * blob(64, 92, 12)
    return ((t - t.mean()) / t.std()).astype(np.float32)


def observe(stimuli: rc.RCStimuli, template: np.ndarray, internal: float, seed: int) -> np.ndarray:
    evidence = stimuli.params @ stimuli.basis.project(template)  # noise . template, per trial
    evidence /= evidence.std()
    rng = np.random.default_rng(seed)
    return np.where(evidence + internal * rng.normal(size=len(evidence)) > 0, 1, -1)


def expected_ci(basis: rc.NoiseBasis, template: np.ndarray) -> np.ndarray:
    """The template seen through the noise basis: B B^T T, the direction a CI converges to."""
    return basis.noise(basis.project(template))


# ----------------------------------------------------------------------------- the noise


def rcicr_literal_noise(params: np.ndarray, img_size: int, n_scales: int, kind: str = "sinusoid") -> np.ndarray:
    """rcicr's generateNoisePattern + generateNoiseImage transcribed loop for loop (1-based
    patchIdx, columns outer and rows inner), as the reference for the fast implementation."""
    scales = [2**i for i in range(n_scales)]
    layers, index = [], []
    idx = 1
    for scale in scales:
        for orientation in rc.ORIENTATIONS:
            for phase in rc.PHASES:
                size = img_size // scale
                if kind == "gabor":
                    p = rc.gabor_patch(size, 1.5, orientation, phase, 25.0)
                else:
                    p = rc.sinusoid_patch(size, 2, orientation, phase)
                layers.append(np.tile(p, (scale, scale)))
                patch_idx = np.zeros((img_size, img_size), np.int64)
                for col in range(1, scale + 1):
                    for row in range(1, scale + 1):
                        patch_idx[size * (row - 1):size * row, size * (col - 1):size * col] = idx
                        idx += 1
                index.append(patch_idx)
    patches, patch_idx = np.stack(layers), np.stack(index)
    return (patches * params[patch_idx - 1]).mean(axis=0)


@pytest.mark.parametrize("kind", ["sinusoid", "gabor"])
def test_noise_is_rcicrs_layout(kind):
    basis = rc.noise_basis(64, kind, n_scales=4)
    assert basis.n_params == 12 * (1 + 4 + 16 + 64)
    params = rc.draw_parameters(3, basis.n_params, seed=5)
    for p in params:
        assert np.abs(basis.noise(p) - rcicr_literal_noise(p, 64, 4, kind)).max() < 1e-5
    assert rc.noise_basis(512).n_params == 4092  # rcicr's number for 5 scales


def test_project_is_the_adjoint_of_noise():
    basis = rc.noise_basis(64, n_scales=4)
    image = np.random.default_rng(3).normal(size=(64, 64))
    params = rc.draw_parameters(20, basis.n_params, seed=4)
    direct = np.tensordot(basis.noise(params), image, axes=([1, 2], [0, 1]))
    assert np.allclose(direct, params @ basis.project(image), rtol=1e-4, atol=1e-4)


def test_noise_statistics_as_rcicr_says():
    basis = rc.noise_basis(S)
    noise = basis.noise(rc.draw_parameters(100, basis.n_params, seed=1))
    assert abs(float(noise.std()) - math.sqrt(1 / 360)) < 0.003  # mean of 60 layers
    assert np.mean(np.abs(noise) < 0.3) > 0.999  # rcicr: "most values fall within [-0.3, 0.3]"


def test_pairs_add_up_to_twice_the_base_where_nothing_clips(base):
    stimuli = rc.generate_rc_stimuli(base, n_trials=8, seed=11)
    for trial, ori, inv in stimuli.pairs():
        ok = (ori > 0) & (ori < 255) & (inv > 0) & (inv < 255)
        assert ok.mean() > 0.9
        assert np.array_equal(ori.astype(int)[ok] + inv.astype(int)[ok], 2 * base.astype(int)[ok])
        assert np.array_equal(ori, stimuli.pair(trial)[0])
        assert not np.array_equal(ori, base)
    grey = base.mean(axis=2).astype(np.uint8)
    ori, inv = rc.generate_rc_stimuli(grey, n_trials=2, seed=1, noise="gabor").pair(2)
    ok = (ori > 0) & (ori < 255) & (inv > 0) & (inv < 255)
    assert ori.ndim == 2 and np.array_equal(ori.astype(int)[ok] + inv.astype(int)[ok], 2 * grey.astype(int)[ok])


def test_noise_stays_in_the_mask(base, face_mask):
    stimuli = rc.generate_rc_stimuli(base, n_trials=3, seed=2, mask=face_mask)
    for _, ori, inv in stimuli.pairs():
        assert np.array_equal(ori[face_mask == 0], base[face_mask == 0])
        assert np.array_equal(inv[face_mask == 0], base[face_mask == 0])
        assert not np.array_equal(ori[face_mask == 1], base[face_mask == 1])


def test_rcicr_composition(base):
    stimuli = rc.generate_rc_stimuli(base, n_trials=2, seed=3, composition="rcicr")
    ori, inv = stimuli.pair(1)
    grey = base.astype(np.float64).mean(axis=2) / 255
    unit = (grey - grey.min()) / (grey.max() - grey.min())
    # rcicr: (base + (+-noise + 0.3) / 0.6) / 2, so ori + inv = base + 0.5 (to rounding)
    assert ori.ndim == 2
    assert np.abs(ori.astype(float) + inv - 255 * (unit + 0.5)).max() <= 1.0
    expected = (unit + (stimuli.noise(1) + 0.3) / 0.6) / 2
    assert np.abs(ori - 255 * expected).max() <= 0.5 + 1e-3


def test_same_seed_same_stimuli_and_npz_round_trip(base, face_mask, tmp_path):
    a = rc.generate_rc_stimuli(base, n_trials=5, seed=42, mask=face_mask)
    b = rc.generate_rc_stimuli(base, n_trials=5, seed=42, mask=face_mask)
    assert np.array_equal(a.params, b.params)
    assert not np.array_equal(a.params, rc.generate_rc_stimuli(base, n_trials=5, seed=43).params)
    path = a.save(tmp_path / "rc.npz")
    loaded = rc.load_rc_stimuli(path)
    for trial in (1, 5):
        assert all(np.array_equal(x, y) for x, y in zip(a.pair(trial), loaded.pair(trial)))
    assert loaded.seed == 42 and loaded.basis == a.basis and np.array_equal(loaded.mask, face_mask)
    table = a.table()
    assert table["trial"].tolist() == [1, 2, 3, 4, 5] and table["params_row"].tolist() == [0, 1, 2, 3, 4]
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(FileReadError):
        rc.load_rc_stimuli(tmp_path / "bad.npz")
    # parameters from elsewhere (rcicr's .Rdata) give the same stimuli as drawn ones
    again = rc.generate_rc_stimuli(base, params=a.params, mask=face_mask)
    assert np.array_equal(again.pair(3)[1], a.pair(3)[1])


# ----------------------------------------------------------------------------- analysis


@pytest.fixture(scope="module")
def experiment(base):
    stimuli = rc.generate_rc_stimuli(base, n_trials=300, seed=20)
    template = planted_template()
    return stimuli, template


@pytest.fixture(scope="module")
def expected(experiment):
    stimuli, template = experiment
    ceiling = expected_ci(stimuli.basis, template)
    assert 0.6 < rc.template_correlation(ceiling, template) < 0.75  # 0.68: what any CI can reach
    return ceiling


@pytest.mark.parametrize("internal, floor", [(0.0, 0.5), (1.0, 0.45)])
def test_ci_recovers_the_planted_template(experiment, expected, internal, floor):
    stimuli, template = experiment
    responses = observe(stimuli, template, internal, seed=0)
    ci = rc.classification_image(stimuli, responses, zmap=None)
    assert ci.n_trials == 300
    assert rc.template_correlation(ci.ci, template) > floor
    assert rc.template_correlation(ci.ci, expected) > 0.7
    # the anti-CI (responses swapped) is the CI negated
    anti = rc.classification_image(stimuli, -responses, zmap=None)
    assert np.allclose(anti.ci, -ci.ci, atol=1e-7)


def test_zmaps(experiment):
    stimuli, template = experiment
    responses = observe(stimuli, template, 1.0, seed=1)
    ci = rc.classification_image(stimuli, responses, zmap="noise_sd")
    assert np.nanmax(np.abs(ci.zmap)) > 4  # the template is found, significantly
    assert rc.template_correlation(ci.zmap, template) > 0.4
    perm = rc.classification_image(stimuli, responses, zmap="permutation", n_permutations=400, seed=0)
    assert rc.template_correlation(perm.zmap, ci.zmap) > 0.97  # the same null, estimated
    quick = rc.classification_image(stimuli, responses, zmap="quick")
    assert abs(float(quick.zmap.mean())) < 1e-4 and abs(float(quick.zmap.std()) - 1) < 1e-3
    # responses unrelated to the noise: z is standard normal
    null = np.random.default_rng(5).choice([-1, 1], size=300)
    z = rc.classification_image(stimuli, null, zmap="noise_sd").zmap
    assert abs(float(z.mean())) < 0.35 and 0.6 < float(z.std()) < 1.4


def test_masked_ci_and_zmap(base, face_mask):
    stimuli = rc.generate_rc_stimuli(base, n_trials=60, seed=4, mask=face_mask)
    ci = rc.classification_image(stimuli, np.resize([1, -1, -1], 60), zmap="noise_sd")
    assert np.all(ci.ci[face_mask == 0] == 0) and np.isnan(ci.zmap[face_mask == 0]).all()
    assert np.isfinite(ci.zmap[face_mask > 0]).all()


def test_groups_and_repeated_trials(experiment):
    stimuli, template = experiment
    responses = observe(stimuli, template, 1.0, seed=2)
    table = pd.DataFrame({
        "trial": np.tile(np.arange(1, 151), 2),
        "response": responses,
        "participant": np.repeat(["p1", "p2"], 150),
        "condition": np.tile(np.repeat(["happy", "angry"], 75), 2),
    })
    per_participant = rc.classification_image(stimuli, table, by="participant", zmap=None)
    assert sorted(per_participant) == ["p1", "p2"]
    alone = rc.classification_image(stimuli, table[table.participant == "p2"], zmap=None)
    assert np.allclose(per_participant["p2"].ci, alone.ci)
    both = rc.classification_image(stimuli, table, by=["condition", "participant"], zmap=None)
    assert sorted(both) == [("angry", "p1"), ("angry", "p2"), ("happy", "p1"), ("happy", "p2")]
    # each trial was seen twice: the responses to a trial are averaged first (as rcicr)
    pooled = rc.classification_image(stimuli, table, zmap=None)
    assert pooled.n_trials == 150 and pooled.n_responses == 300
    mean_response = table.groupby("trial")["response"].mean().to_numpy()
    direct = stimuli.basis.noise((mean_response / 150) @ stimuli.params[:150])
    assert np.allclose(pooled.ci, direct, atol=1e-6)
    # noise patterns instead of parameters give the same CI
    patterns = stimuli.basis.noise(stimuli.params[:150])
    assert np.allclose(rc.classification_image(patterns, table, zmap=None).ci, pooled.ci, atol=1e-6)


def test_scaling_as_rcicr(base):
    ci = rc.ClassificationImage(np.array([[-0.2, 0.0], [0.1, 0.05]], np.float32), None, None, 1, 1)
    assert np.allclose(ci.scaled("independent"), [[0.0, 0.5], [0.75, 0.625]])
    assert np.allclose(ci.scaled("constant", constant=0.4), [[0.25, 0.5], [0.625, 0.5625]])
    grey = np.array([[50, 150], [100, 250]], np.uint8)
    matched = ci.scaled("matched", base=grey)
    assert matched.min() == pytest.approx(50 / 255) and matched.max() == pytest.approx(250 / 255)
    combined = ci.combined(grey)
    assert combined[0, 1] == round((0.5 + 150 / 255) / 2 * 255)


def test_bad_responses_refused_before_any_work(experiment, monkeypatch):
    stimuli, _ = experiment

    def refuse(self, params):
        raise AssertionError("noise was computed before the responses were checked")

    monkeypatch.setattr(rc.NoiseBasis, "noise", refuse)
    with pytest.raises(PyfameValueError, match=r"responses name trials that do not exist: 0, 301, 302 \(the stimulus set has trials 1..300\)"):
        rc.classification_image(stimuli, pd.DataFrame({"trial": [1, 301, 302, 0], "response": [1, 1, -1, 1]}))
    with pytest.raises(PyfameValueError, match="responses name trials that do not exist: 301"):
        rc.classification_image(stimuli, [1] * 301)
    with pytest.raises(PyfameValueError, match="response must be 1 .ori chosen. or -1 .inv chosen.*coded 1/2"):
        rc.classification_image(stimuli, pd.DataFrame({"trial": [1, 2], "response": [1, 2]}))
    with pytest.raises(PyfameValueError, match="trial must hold whole trial numbers"):
        rc.classification_image(stimuli, pd.DataFrame({"trial": [1.5], "response": [1]}))
    with pytest.raises(PyfameValueError, match="missing \\['response'\\]"):
        rc.classification_image(stimuli, pd.DataFrame({"trial": [1]}))
    with pytest.raises(PyfameValueError, match="by names a column the responses do not have: 'participant'"):
        rc.classification_image(stimuli, [1, -1], by="participant")
    with pytest.raises(PyfameValueError, match="zmap must be one of"):
        rc.classification_image(stimuli, [1, -1], zmap="t.test")
    with pytest.raises(PyfameValueError, match="responses is empty"):
        rc.classification_image(stimuli, [])
    with pytest.raises(PyfameTypeError, match="basis .a NoiseBasis. is needed"):
        rc.classification_image(stimuli.params, [1])


def test_bad_stimulus_input(base):
    with pytest.raises(ImageShapeError, match="base must be square"):
        rc.generate_rc_stimuli(base[:, :100], n_trials=2)
    with pytest.raises(ImageShapeError, match="img_size 120 must be divisible by 2\\^\\(n_scales - 1\\) = 16"):
        rc.generate_rc_stimuli(base[:120, :120], n_trials=2)
    with pytest.raises(PyfameValueError, match="n_trials must be >= 1"):
        rc.generate_rc_stimuli(base, n_trials=0)
    with pytest.raises(PyfameValueError, match="noise must be one of"):
        rc.generate_rc_stimuli(base, n_trials=2, noise="pink")
    with pytest.raises(PyfameValueError, match="mask cannot be used with composition='rcicr'"):
        rc.generate_rc_stimuli(base, n_trials=2, mask=np.ones((S, S), np.float32), composition="rcicr")
    with pytest.raises(PyfameValueError, match="params must be a finite"):
        rc.generate_rc_stimuli(base, params=np.zeros((2, 10)))
    stimuli = rc.generate_rc_stimuli(base, n_trials=2)
    with pytest.raises(PyfameValueError, match="trial must be in 1..2 .trials are numbered from 1., got 0"):
        stimuli.pair(0)
