"""Issue 13, reads and runs: every input read as what it is, and nothing silent.

One section per class of the issue; each test fails on the code before the fix.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

import pyfame.core as pf
from pyfame.io import open_source
from pyfame.samples import write_moving_face_video, write_noise_video


def _frames(path: Path) -> list[np.ndarray]:
    with open_source(path) as source:
        return [f.pixels.astype(np.int16) for f in source]


def _distance(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Mean absolute pixel difference of two clips of the same size (over the shorter)."""
    return float(np.mean([np.abs(x - y).mean() for x, y in zip(a, b)]))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sidecar(output: Path) -> dict:
    return json.loads(output.with_name(output.name + ".pyfame.json").read_text())


@pytest.fixture(scope="module")
def two_clips(tmp_path_factory):
    """Clip A (the face) and clip B (noise), same size and length, no audio."""
    folder = tmp_path_factory.mktemp("clips")
    a, b = folder / "a.mp4", folder / "b.mp4"
    write_moving_face_video(a, n_frames=8, fps=8, size=(96, 72), motion="still", audio=False)
    write_noise_video(b, n_frames=8, size=(96, 72), fps=8)
    return a, b


# ---- 1. a file name is a file name, never an FFmpeg URL ------------------------------------


def test_file_protocol_prefix_in_a_name_reads_that_file(two_clips, tmp_path, monkeypatch):
    a, b = two_clips
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    shutil.copy(a, folder / "file:other.mp4")
    shutil.copy(b, folder / "other.mp4")
    monkeypatch.chdir(folder)
    results = pf.apply_layers(".", out, [], landmark_cache=False)
    assert [r.error for r in results] == [None, None]
    made = out / "file:other.mp4"
    clip_a, clip_b = _frames(a), _frames(b)
    assert _distance(_frames(made), clip_a) < 3 < _distance(_frames(made), clip_b)
    assert _sidecar(made)["input"]["sha256"] == _sha256(a)
    assert _distance(_frames(out / "other.mp4"), clip_b) < _distance(_frames(out / "other.mp4"), clip_a)


def test_tcp_name_opens_no_socket(two_clips, tmp_path, monkeypatch):
    a, _ = two_clips
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:  # take any connection and close it at once, so nothing can hang
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except OSError:
                continue
            connections.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    name = f"tcp:127.0.0.1:{port}?x=.mp4"
    shutil.copy(a, folder / name)
    monkeypatch.chdir(folder)
    try:
        (result,) = pf.apply_layers(".", out, [], landmark_cache=False)
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    assert connections == []
    assert result.error is None
    assert _distance(_frames(out / name), _frames(a)) < 3
    assert _sidecar(out / name)["input"]["sha256"] == _sha256(a)
