"""The stimulus-control family on files: match_face_statistics, filter_spatial_frequency,
hybrid_faces, generate_rc_stimuli and classification_image, through their seed-style
functions, commands, experiment files, sidecars and ``pyfame verify``.

Everything is re-measured from the written files, with the face masks of the inputs tracked
here (IMAGE mode for stills, VIDEO mode for videos, as the operations track them). The set:
the sample face photographed four ways (pose, exposure, contrast, colour cast; one saved as
JPEG) and once shifted onto a larger canvas. Tolerances (measured values in brackets):

- luminance matching: the face ovals' mean and SD of L* equal across the set within 0.01 L*
  [spread 0.0045 and 0.0065];
- histogram matching: every level's count is exactly the target's share of the face's
  pixels, rounded by largest remainder [exactly; within 0.52 pixel of the unrounded share];
- sf matching: each face within 6% (RMS over radial bins) of the target [0.6-1.7%; 15-32%
  before];
- videos per clip: the clips' pooled mean and SD within 0.25 L* of each other after H.264
  (CRF 12) [0.03 and 0.02; 25 L* apart before], the frame-to-frame course kept (correlation
  > 0.99 [0.99999]); per frame: every frame of every clip within 0.3 L* [0.13]. Clips are
  compared with each other, not with the target: PyFAME's H.264 round trip darkens every
  frame by about one RGB level (-0.5 L*, at CRF 0 as at 12), the same for every clip;
- spatial frequency: a low-pass at c cpf leaves < 5% of the energy above 2c [0.8-1.4% of the
  whole frame at c = 4 and 8, 1.4% inside the face]; the mean L* kept within 0.05
  [0.002-0.005];
- hybrids: a copy of the face moved, turned and enlarged on another canvas gives, once
  aligned, the face's own hybrid within a median 1.5 L* [1.06; another face: 3.4];
- reverse correlation: ori + inv = 2 x base exactly where nothing clips; a CI from 300
  simulated responses correlates > 0.45 with the planted template [0.55; z up to 6.9].
"""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import pyfame.core as pf
from pyfame.cli import main
from pyfame.errors import FaceNotFoundError, ImageShapeError, PyfamePathError, PyfameValueError
from pyfame.experiment import Experiment
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.face.tracker import FaceTracker
from pyfame.io import open_source, read_image
from pyfame.io.frame import Frame
from pyfame.io.video_sink import VideoSink
from pyfame.methods import methods_paragraph
from pyfame.provenance import read_sidecar
from pyfame.samples import sample_face
from pyfame.samples.moving_face import moving_face_transforms, render_frame
from pyfame.stimulus_control import load_rc_stimuli, template_correlation
from pyfame.stimulus_control.amplitude_spectrum import radial_bins
from pyfame.stimulus_control.luminance import luminance, quantise_luminance, weighted_mean_sd
from pyfame.stimulus_control.spatial_frequency import band_energy
from pyfame.stimulus_control.statistics_matching import largest_remainder_counts, spectral_error
from pyfame.verify import verify_output
from tests.stimulus_control.conftest import VARIANTS, photograph


def write_rgb(path, rgb):
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(scope="module")
def tracker():
    with FaceTracker(mode="image") as t:
        yield t


def oval(tracker, rgb, feather=0.0):
    """The face oval's mask of a still, from its tracked mesh (as the operations track it)."""
    return region_mask(tracker.track(rgb), FACE_OVAL_PATH, rgb.shape, feather)


@pytest.fixture(scope="module")
def face_dir(tmp_path_factory):
    """Five photographs of one face: four poses and lightings (one a JPEG), and one shifted
    onto a larger canvas."""
    folder = tmp_path_factory.mktemp("faces")
    face = sample_face()
    for i, variant in enumerate(VARIANTS):
        image = photograph(face, *variant)
        if i == 3:
            cv2.imwrite(str(folder / f"face{i}.jpg"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
        else:
            write_rgb(folder / f"face{i}.png", image)
    canvas = np.full((600, 560, 3), 90, np.uint8)
    canvas[60:572, 30:542] = np.clip(face.astype(int) * 0.8 + 20, 0, 255).astype(np.uint8)
    write_rgb(folder / "face4.png", canvas)
    return folder


def matched_pairs(face_dir, out, tracker):
    """(input, output, input's face-oval mask) for every face of ``face_dir``."""
    pairs = []
    for path in sorted(face_dir.iterdir()):
        before = read_image(path)
        after = read_image(out / "Matched" / (path.stem + ".png"))
        pairs.append((before, after, oval(tracker, before)))
    return pairs


# ----------------------------------------------------------------------------- matching


@pytest.fixture(scope="module")
def luminance_run(face_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("matched")
    results = pf.match_face_statistics(face_dir, out, method="luminance", seed=1)
    return out, results


def test_luminance_matching_equates_mean_and_sd_in_the_written_faces(face_dir, luminance_run, tracker):
    out, results = luminance_run
    names = sorted(r.output.name for r in results)
    assert names == ["face0.png", "face1.png", "face2.png", "face3.png", "face4.png", "match_statistics.csv",
                     "match_statistics.png", "match_target.npz"]  # the JPEG is written as PNG
    stats = []
    for before, after, mask in matched_pairs(face_dir, out, tracker):
        full = mask.full()
        stats.append(weighted_mean_sd(luminance(after), full))
        assert np.array_equal(after[full == 0], before[full == 0])  # outside the face: bit for bit
    means, sds = np.array(stats).T
    assert np.ptp(means) < 0.01 and np.ptp(sds) < 0.01
    with np.load(out / "Matched" / "match_target.npz") as target:
        assert abs(float(target["mean"]) - means.mean()) < 0.01 and str(target["method"]) == "luminance"
    table = pd.read_csv(out / "Matched" / "match_statistics.csv")
    after_rows = table[table["stage"] == "after"]
    assert len(table) == 10 and np.ptp(after_rows["mean"]) < 0.01
    assert after_rows["ssim"].between(0.5, 1.0).all() and table[table["stage"] == "before"]["ssim"].isna().all()
    assert set(table.columns) >= {"mean", "sd", "rms_contrast", "histogram_emd", "spectral_slope", "ssim", "frame"}
    assert read_image(out / "Matched" / "match_statistics.png").shape[0] > 300  # the plot


def test_matching_outputs_verify_and_cite_shine(luminance_run):
    out, _ = luminance_run
    assert verify_output(out / "Matched" / "face1.png").identical
    assert verify_output(out / "Matched" / "match_statistics.csv").identical
    text = methods_paragraph(out / "Matched")
    assert "match_face_statistics" in text and "Willenbockel" in text and "Coltuc" in text


def test_histogram_matching_is_exact_in_the_written_faces(face_dir, tmp_path, tracker):
    pf.match_face_statistics(face_dir, tmp_path, method="histogram", seed=1)
    with np.load(tmp_path / "Matched" / "match_target.npz") as target:
        goal = target["histogram"]
    for _, after, mask in matched_pairs(face_dir, tmp_path, tracker):
        support = mask.full() >= 0.5
        counts = np.bincount(quantise_luminance(luminance(after)[support]), minlength=256)
        assert np.array_equal(counts, largest_remainder_counts(goal, int(support.sum())))


def test_sf_matching_brings_every_face_to_the_target(face_dir, tmp_path, tracker):
    stills = tmp_path / "in"
    stills.mkdir()
    for name in ("face0.png", "face1.png", "face2.png"):
        (stills / name).write_bytes((face_dir / name).read_bytes())
    pf.match_face_statistics(stills, tmp_path, method="sf", seed=1)
    with np.load(tmp_path / "Matched" / "match_target.npz") as target:
        goal = target["sf"]
    masks = [oval(tracker, read_image(stills / n)) for n in ("face0.png", "face1.png", "face2.png")]
    w = max(m.box[2] - m.box[0] for m in masks)
    h = max(m.box[3] - m.box[1] for m in masks)
    assert len(goal) == int(radial_bins((h, w)).max()) + 1  # one box size for the set: the largest face box
    for name, mask in zip(("face0.png", "face1.png", "face2.png"), masks):
        cx, cy = (mask.box[0] + mask.box[2]) / 2, (mask.box[1] + mask.box[3]) / 2
        box = (int(round(cx - w / 2)), int(round(cy - h / 2)))
        box = (*box, box[0] + w, box[1] + h)
        weights = mask.within(box)

        def error(path, box=box, weights=weights):
            lum = luminance(read_image(path)[box[1]:box[3], box[0]:box[2]])
            return spectral_error(lum, weights, goal, "sf")

        assert error(tmp_path / "Matched" / name) < 0.06 < error(stills / name)


def test_a_target_of_numbers_a_reference_or_an_earlier_match(face_dir, luminance_run, tmp_path, tracker):
    one = face_dir / "face2.png"
    (tmp_path / "a").mkdir()
    pf.match_face_statistics(one, tmp_path / "a", target={"mean": 60.0, "sd": 15.0})
    after = read_image(tmp_path / "a" / "Matched" / "face2.png")
    mean, sd = weighted_mean_sd(luminance(after), oval(tracker, read_image(one)).full())
    assert abs(mean - 60.0) < 0.01 and abs(sd - 15.0) < 0.01
    # a reference image: the set takes its face's statistics; it is an input of the request
    (tmp_path / "b").mkdir()
    reference = face_dir / "face0.png"
    pf.match_face_statistics(face_dir / "face1.png", tmp_path / "b", target=str(reference))
    want = weighted_mean_sd(luminance(read_image(reference)), oval(tracker, read_image(reference)).full())
    got = weighted_mean_sd(luminance(read_image(tmp_path / "b" / "Matched" / "face1.png")),
                           oval(tracker, read_image(face_dir / "face1.png")).full())
    assert np.abs(np.subtract(want, got)).max() < 0.01
    record = read_sidecar(tmp_path / "b" / "Matched" / "face1.png")
    assert [i["name"] for i in record["inputs"]] == ["input_dir", "target"]
    assert verify_output(tmp_path / "b" / "Matched" / "face1.png").identical
    # an earlier match's target: another face matched to the same numbers
    (tmp_path / "c").mkdir()
    earlier = luminance_run[0] / "Matched" / "match_target.npz"
    pf.match_face_statistics(face_dir / "face2.png", tmp_path / "c", target=str(earlier))
    with np.load(earlier) as target:
        want = (float(target["mean"]), float(target["sd"]))
    got = weighted_mean_sd(luminance(read_image(tmp_path / "c" / "Matched" / "face2.png")),
                           oval(tracker, read_image(face_dir / "face2.png")).full())
    assert np.abs(np.subtract(want, got)).max() < 0.01


def test_a_uniform_background(face_dir, tmp_path, tracker):
    stills = [face_dir / "face0.png", face_dir / "face1.png"]
    pf.match_face_statistics(stills, tmp_path, background=(128, 128, 128))
    for path in stills:
        mask = oval(tracker, read_image(path)).full()
        after = read_image(tmp_path / "Matched" / path.name)
        assert (after[mask == 0] == 128).all() and not (after[mask == 1] == 128).all()


def test_bad_sets_are_refused_before_any_work(face_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PyfameValueError) as caught:  # a set of one, and no target
        pf.match_face_statistics(face_dir / "face0.png", out)
    assert caught.value.param == "input_dir" and "two" in str(caught.value)
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "a.png").write_bytes((face_dir / "face0.png").read_bytes())
    (clash / "a.jpg").write_bytes((face_dir / "face3.jpg").read_bytes())
    with pytest.raises(PyfameValueError) as caught:  # both would be written as a.png
        pf.match_face_statistics(clash, out)
    assert caught.value.param == "input_dir"
    with pytest.raises(PyfameValueError) as caught:
        pf.match_face_statistics(face_dir, out, method="luminance", target={"mean": 50})
    assert caught.value.param == "target"
    with pytest.raises(PyfamePathError) as caught:
        pf.match_face_statistics(face_dir, out, target=str(tmp_path / "missing.png"))
    assert caught.value.param == "target"
    # faces of different sizes: one box size for spectra, so a frame too small for it is refused
    small = tmp_path / "small"
    small.mkdir()
    face = sample_face()
    write_rgb(small / "big.png", cv2.resize(face, (1100, 1100), interpolation=cv2.INTER_CUBIC))
    write_rgb(small / "tight.png", face[40:270, 125:355])
    with pytest.raises(ImageShapeError) as caught:
        pf.match_face_statistics(small, out, method="spectrum")
    assert caught.value.param == "input_dir" and "never stretches" in str(caught.value)
    assert list(out.iterdir()) == []


# ----------------------------------------------------------------------------- videos


def write_clip(path, gains, size=(320, 240), motion="talk", seed=0):
    """A moving sample face whose lighting follows ``gains`` frame by frame (near-lossless)."""
    transforms = moving_face_transforms(len(gains), size, motion, seed)
    with VideoSink(path, size[0], size[1], 10, crf=4, preset="veryfast") as sink:
        for i, (m, g) in enumerate(zip(transforms, gains)):
            frame = np.clip(render_frame(m, size).astype(np.float32) * g, 0, 255).astype(np.uint8)
            sink.write(Frame(i, i / 10, frame))


def video_masks(path):
    """The face oval's mask on every frame, the mesh tracked in VIDEO mode (as the operation
    tracks its inputs)."""
    with open_source(path) as source, FaceTracker(mode="video") as tracker:
        return [region_mask(tracker.track(f.pixels, f.t), FACE_OVAL_PATH, f.pixels.shape).full() for f in source]


def video_face_stats(path, masks):
    """Per frame: the mean and SD of L* in the mask, and the mask's weight."""
    with open_source(path) as source:
        return np.array([(*weighted_mean_sd(luminance(f.pixels), m), m.sum()) for f, m in zip(source, masks)])


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    write_clip(folder / "dim.mp4", np.linspace(0.55, 0.75, 10))  # lighting rises within the clip
    write_clip(folder / "bright.mp4", np.full(10, 1.05), motion="scale")
    return folder


def pooled(stats):
    """A clip's mean and SD of L* over all its face pixels (from per-frame statistics)."""
    mean, sd, n = stats.T
    grand = (mean * n).sum() / n.sum()
    return grand, np.sqrt(((sd**2 + (mean - grand) ** 2) * n).sum() / n.sum())


def test_clips_matched_per_clip_keep_their_course(clips, tmp_path):
    pf.match_face_statistics(clips, tmp_path, crf=12, seed=1)  # per="clip" is the default
    masks = {n: video_masks(clips / n) for n in ("dim.mp4", "bright.mp4")}
    before = {n: video_face_stats(clips / n, masks[n]) for n in masks}
    after = {n: video_face_stats(tmp_path / "Matched" / n, masks[n]) for n in masks}
    a, b = (pooled(after[n]) for n in ("dim.mp4", "bright.mp4"))
    assert abs(pooled(before["dim.mp4"])[0] - pooled(before["bright.mp4"])[0]) > 10
    assert abs(a[0] - b[0]) < 0.25 and abs(a[1] - b[1]) < 0.25
    # no flicker: one transform for the clip, so the face's course over the frames is kept
    assert np.corrcoef(before["dim.mp4"][:, 0], after["dim.mp4"][:, 0])[0, 1] > 0.99
    assert np.ptp(after["dim.mp4"][:, 0]) > 2  # the lighting still rises
    table = pd.read_csv(tmp_path / "Matched" / "match_statistics.csv")
    assert sorted(table["frame"].unique()) == list(range(10))


def test_clips_matched_per_frame_are_flat(clips, tmp_path):
    pf.match_face_statistics(clips, tmp_path, crf=12, per="frame", seed=1)
    means = np.concatenate([video_face_stats(tmp_path / "Matched" / n, video_masks(clips / n))[:, 0]
                            for n in ("dim.mp4", "bright.mp4")])
    assert np.ptp(means) < 0.3  # every frame of every clip


def test_spectra_cannot_be_matched_per_clip(clips, tmp_path):
    with pytest.raises(PyfameValueError) as caught:
        pf.match_face_statistics(clips, tmp_path, method="sf")
    assert caught.value.param == "per" and not (tmp_path / "Matched").exists()


# ----------------------------------------------------------------------------- spatial frequency


@pytest.fixture(scope="module")
def face_file(tmp_path_factory):
    return write_rgb(tmp_path_factory.mktemp("face") / "face.png", sample_face())


def test_a_low_pass_in_cycles_per_face_width(face_file, tmp_path, tracker):
    from pyfame.face.face_frame import face_width

    face = read_image(face_file)
    faces = tracker.track(face)
    width = face_width(faces.landmarks[0])
    grey = cv2.cvtColor(face, cv2.COLOR_RGB2GRAY)
    for cutoff in (4.0, 8.0):
        out = tmp_path / str(cutoff)
        out.mkdir()
        pf.filter_spatial_frequency(face_file, out, high_cpf=cutoff, regions=None, grayscale=True)
        lum = luminance(read_image(out / "SF_Filtered" / "face.png")[..., 0])
        kept = band_energy(lum, width, 2 * cutoff) / band_energy(luminance(grey), width, 2 * cutoff)
        assert kept < 0.05
        assert abs(float(lum.mean()) - float(luminance(grey).mean())) < 0.05
    # in the face region: the same filter, the rest of the frame bit for bit
    pf.filter_spatial_frequency(face_file, tmp_path, high_cpf=8.0)
    filtered = read_image(tmp_path / "SF_Filtered" / "face.png")
    mask = oval(tracker, face, feather=6.0).full()
    assert np.array_equal(filtered[mask == 0], face[mask == 0])
    inner = cv2.erode((mask == 1).astype(np.uint8), np.ones((25, 25), np.uint8))
    window = cv2.GaussianBlur(inner.astype(np.float32), (0, 0), 6)  # smooth, inside the filtered face

    def energy(image, above):
        lum = luminance(image).astype(np.float64)
        x = (lum - (lum * window).sum() / window.sum()) * window
        return band_energy(x, width, above, window=False)

    assert energy(filtered, 16.0) / energy(face, 16.0) < 0.05
    assert abs(weighted_mean_sd(luminance(filtered), mask)[0] - weighted_mean_sd(luminance(face), mask)[0]) < 0.05
    assert verify_output(tmp_path / "SF_Filtered" / "face.png").identical


def test_the_cutoff_follows_the_face_width_on_every_frame(tmp_path, tracker):
    # the same face at two sizes keeps the same share of its variance at the same cut-off
    face = sample_face()
    small = np.full((512, 512, 3), 128, np.uint8)
    small[77:435, 77:435] = cv2.resize(face, (358, 358), interpolation=cv2.INTER_AREA)  # 0.7 times as wide
    for name, image in (("large.png", face), ("small.png", small)):
        write_rgb(tmp_path / name, image)
    pf.filter_spatial_frequency(tmp_path, tmp_path, low_cpf=3.0, high_cpf=10.0)
    shares = []
    for name in ("large.png", "small.png"):
        before = read_image(tmp_path / name)
        mask = oval(tracker, before).full()
        after = read_image(tmp_path / "SF_Filtered" / name)
        shares.append(weighted_mean_sd(luminance(after), mask)[1] / weighted_mean_sd(luminance(before), mask)[1])
    assert abs(shares[0] - shares[1]) < 0.1 * shares[0]


def test_a_filter_needs_a_cutoff(face_file, tmp_path):
    with pytest.raises(PyfameValueError) as caught:
        pf.filter_spatial_frequency(face_file, tmp_path)
    assert caught.value.param == "high_cpf" and list(tmp_path.iterdir()) == []
    with pytest.raises(PyfameValueError) as caught:
        pf.filter_spatial_frequency(face_file, tmp_path, low_cpf=12, high_cpf=6)
    assert caught.value.param == "low_cpf"


# ----------------------------------------------------------------------------- hybrids


def test_a_moved_copy_is_aligned_before_the_hybrid_is_made(face_file, tmp_path, tracker):
    # a hybrid of a face with itself is the face with its bands around the cut-off boosted
    # (the low- and high-pass are power complements); a copy moved, turned and enlarged on
    # another canvas must give the same hybrid once aligned, and another face must not
    face = read_image(face_file)
    m = cv2.getRotationMatrix2D((240, 130), 12, 1.3)
    m[:, 2] += (60, 40)
    write_rgb(tmp_path / "moved.png", cv2.warpAffine(face, m, (700, 600), borderMode=cv2.BORDER_REFLECT))
    write_rgb(tmp_path / "flipped.png", np.ascontiguousarray(face[:, ::-1]))
    for high in (face_file, tmp_path / "moved.png", tmp_path / "flipped.png"):
        pf.hybrid_faces(face_file, high, tmp_path, cutoff_cpf=6)
    made = {n: read_image(tmp_path / "Hybrids" / f"face_{n}_hybrid.png") for n in ("face", "moved", "flipped")}
    assert made["moved"].shape == face.shape  # the low face's frame
    mask = oval(tracker, face).full() == 1
    moved, other = (np.median(np.abs(luminance(made[n]) - luminance(made["face"]))[mask]) for n in ("moved", "flipped"))
    assert moved < 1.5 and other > 2.5 * moved  # [1.06 and 3.4 L*]
    near = cv2.dilate((oval(tracker, face, 8.0).full() > 0).astype(np.uint8), np.ones((31, 31), np.uint8))
    assert np.array_equal(made["moved"][near == 0], face[near == 0])  # away from the faces: the low face
    assert verify_output(tmp_path / "Hybrids" / "face_moved_hybrid.png").identical


def test_hybrid_inputs_are_checked(face_dir, face_file, tmp_path):
    noise = write_rgb(tmp_path / "noise.png", np.random.default_rng(0).integers(0, 256, (200, 200, 3), np.uint8))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(FaceNotFoundError) as caught:
        pf.hybrid_faces(face_file, noise, out)
    assert caught.value.param == "high_face"
    with pytest.raises(PyfameValueError) as caught:
        pf.hybrid_faces(face_dir, face_file, out)  # a folder of faces: one each is needed
    assert caught.value.param == "low_face"
    with pytest.raises(PyfameValueError) as caught:
        pf.hybrid_faces(face_file, face_file, out, cutoff_cpf=500)
    assert caught.value.param == "cutoff_cpf" and list(out.iterdir()) == []


# ----------------------------------------------------------------------------- reverse correlation


S = 128


@pytest.fixture(scope="module")
def rc_set(face_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("rc")
    results = pf.generate_rc_stimuli(face_file, out, n_trials=300, seed=7, square_px=S)
    return out / "RC_Stimuli", results


def planted_template():
    yy, xx = np.mgrid[0:S, 0:S]

    def blob(cx, cy, s):
        return np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))

    t = -blob(44, 50, 10) - blob(84, 50, 10) + 1.2 * blob(64, 92, 12)
    return ((t - t.mean()) / t.std()).astype(np.float32)


def test_rc_stimuli_are_named_as_rcicr_and_recomputed_from_the_npz(rc_set):
    folder, results = rc_set
    assert len(results) == 2 * 300 + 3
    assert (folder / "rcic_face_00001_ori.png").is_file() and (folder / "rcic_face_00300_inv.png").is_file()
    table = pd.read_csv(folder / "rcic_face_trials.csv")
    assert table["trial"].tolist() == list(range(1, 301)) and table.loc[0, "ori"] == "rcic_face_00001_ori.png"
    stimuli = load_rc_stimuli(folder / "rcic_face.npz")
    base = cv2.imread(str(folder / "rcic_face_base.png"), cv2.IMREAD_UNCHANGED)
    assert base.shape == (S, S) and np.array_equal(stimuli.base, base) and stimuli.seed == 7
    for trial in (1, 150, 300):
        ori = cv2.imread(str(folder / f"rcic_face_{trial:05d}_ori.png"), cv2.IMREAD_UNCHANGED)
        inv = cv2.imread(str(folder / f"rcic_face_{trial:05d}_inv.png"), cv2.IMREAD_UNCHANGED)
        again = stimuli.pair(trial)
        assert np.array_equal(ori, again[0]) and np.array_equal(inv, again[1])
        total = ori.astype(int) + inv.astype(int)
        unclipped = (ori > 0) & (ori < 255) & (inv > 0) & (inv < 255)
        assert unclipped.mean() > 0.9 and np.array_equal(total[unclipped], 2 * base.astype(int)[unclipped])
    assert verify_output(folder / "rcic_face_00002_inv.png").identical


def test_noise_only_in_the_face_region(face_file, tmp_path):
    pf.generate_rc_stimuli(face_file, tmp_path, n_trials=3, regions="face_oval", grayscale=False)
    folder = tmp_path / "RC_Stimuli"
    stimuli = load_rc_stimuli(folder / "rcic_face.npz")
    assert stimuli.base.shape == (512, 512, 3) and stimuli.mask is not None  # the sample face is 512 px square
    ori = read_image(folder / "rcic_face_00002_ori.png")
    outside = stimuli.mask == 0
    assert np.array_equal(ori[outside], stimuli.base[outside]) and not np.array_equal(ori, stimuli.base)


def test_rc_inputs_are_checked(face_file, tmp_path):
    with pytest.raises(PyfameValueError) as caught:
        pf.generate_rc_stimuli(face_file, tmp_path, square_px=100)
    assert caught.value.param == "square_px"
    with pytest.raises(ImageShapeError) as caught:
        pf.generate_rc_stimuli(face_file, tmp_path, square_px=1024)
    assert caught.value.param == "square_px"
    with pytest.raises(PyfameValueError) as caught:
        pf.generate_rc_stimuli(face_file, tmp_path, composition="rcicr", regions="face_oval")
    assert caught.value.param == "regions" and list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def responses(rc_set, tmp_path_factory):
    folder, _ = rc_set
    stimuli = load_rc_stimuli(folder / "rcic_face.npz")
    evidence = stimuli.params @ stimuli.basis.project(planted_template())
    evidence /= evidence.std()
    rng = np.random.default_rng(0)
    response = np.where(evidence + rng.normal(size=len(evidence)) > 0, 1, -1)
    table = pd.DataFrame({"trial": np.arange(1, 301), "response": response,
                          "participant": np.repeat(["p1", "p2"], 150)})
    path = tmp_path_factory.mktemp("responses") / "responses.parquet"
    table.to_parquet(path)
    return path


def test_a_classification_image_recovers_the_planted_template(rc_set, responses, tmp_path):
    folder, _ = rc_set
    results = pf.classification_image(folder, responses, tmp_path)
    assert sorted(r.output.name for r in results) == ["rcic_face_ci.npy", "rcic_face_ci.png", "rcic_face_ci_summary.csv",
                                                      "rcic_face_zmap.npy", "rcic_face_zmap.png"]
    ci = np.load(tmp_path / "CI" / "rcic_face_ci.npy")
    assert ci.shape == (S, S) and template_correlation(ci, planted_template()) > 0.45
    zmap = np.load(tmp_path / "CI" / "rcic_face_zmap.npy")
    assert np.nanmax(np.abs(zmap)) > 4
    shown = read_image(tmp_path / "CI" / "rcic_face_ci.png")
    assert shown.shape == (S, S, 3)
    assert verify_output(tmp_path / "CI" / "rcic_face_ci.npy").identical
    text = methods_paragraph(tmp_path / "CI")
    assert "Dotsch" in text and "Brinkman" in text
    (tmp_path / "per").mkdir()
    per = pf.classification_image(folder / "rcic_face.npz", responses, tmp_path / "per", by="participant")
    assert {r.output.name for r in per} >= {"rcic_face_participant-p1_ci.npy", "rcic_face_participant-p2_zmap.png"}
    summary = pd.read_csv(tmp_path / "per" / "CI" / "rcic_face_ci_summary.csv")
    assert summary["group"].tolist() == ["p1", "p2"] and summary["n_trials"].tolist() == [150, 150]


def test_responses_naming_missing_trials_are_refused_before_any_work(rc_set, tmp_path):
    folder, _ = rc_set
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"trial": [1, 2, 301], "response": [1, -1, 1]}).to_csv(bad, index=False)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PyfameValueError) as caught:
        pf.classification_image(folder, bad, out)
    assert caught.value.param == "responses" and "301" in str(caught.value)
    pd.DataFrame({"trial": [1, 2], "response": [1, -1]}).to_csv(bad, index=False)
    with pytest.raises(PyfameValueError) as caught:
        pf.classification_image(folder, bad, out, by="condition")
    assert caught.value.param == "by"
    with pytest.raises(PyfameValueError) as caught:
        pf.classification_image(folder.parent, bad, out)  # a folder without a stimulus set
    assert caught.value.param == "stimuli_dir"
    assert list(out.iterdir()) == []


# ----------------------------------------------------------------------------- commands and experiments


def test_every_operation_is_a_command(face_dir, face_file, tmp_path):
    runner = CliRunner()
    for command in ("match-face-statistics", "filter-spatial-frequency", "hybrid-faces", "generate-rc-stimuli",
                    "classification-image"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["-q", "match-face-statistics", str(face_dir), str(tmp_path / "a"), "--method",
                                  "histogram", "--target", '{"histogram": ' + str([1] * 256) + "}"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "Matched" / "face3.png").is_file()
    result = runner.invoke(main, ["-q", "filter-spatial-frequency", str(face_file), str(tmp_path / "b"), "--low-cpf",
                                  "10", "--high-cpf", "none", "--region", "none"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "SF_Filtered" / "face.png").is_file()


def test_operations_in_an_experiment_file(face_dir, face_file, tmp_path):
    spec = {"inputs": [str(face_dir / "*.png")], "output_dir": "stimuli", "seed": 3,
            "conditions": [{"name": "blurred", "layers": [{"type": "filter_spatial_frequency", "high_cpf": 6}]}],
            "operations": [{"type": "match_face_statistics", "name": "matched", "method": "histogram"},
                           {"type": "match_face_statistics", "name": "to_reference", "target": "ref.png"},
                           {"type": "hybrid_faces", "low_face": str(face_file), "high_face": str(face_dir / "face1.png"),
                            "cutoff_cpf": 10},
                           {"type": "generate_rc_stimuli", "base_face": str(face_file), "n_trials": 4}]}
    (tmp_path / "ref.png").write_bytes((face_dir / "face0.png").read_bytes())  # relative to the file, as inputs
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(spec))
    report = Experiment.from_yaml(tmp_path / "exp.yaml").run(executor="serial")
    assert report.count("failed") == 0, report
    out = tmp_path / "stimuli"
    assert (out / "matched" / "face4.png").is_file() and (out / "Hybrids" / "face_face1_hybrid.png").is_file()
    assert read_sidecar(out / "to_reference" / "face4.png")["inputs"][-1]["path"] == str((tmp_path / "ref.png").resolve())
    assert len(list((out / "RC_Stimuli").glob("*_ori.png"))) == 4
    assert len(list(out.rglob("blurred*/*.png"))) + len(list((out / "blurred").glob("*.png"))) >= 4


def test_the_family_is_exported():
    import pyfame

    for name in ("match_face_statistics", "filter_spatial_frequency", "hybrid_faces", "generate_rc_stimuli",
                 "classification_image", "SpatialFrequencyFilter", "FaceStatisticsMatch"):
        assert hasattr(pf, name) and hasattr(pyfame, name)
    import pyfame.stimulus_control as sc

    assert pyfame.stimulus_control is sc and callable(sc.match_statistics)  # the core is not shadowed
