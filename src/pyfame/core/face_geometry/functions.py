"""The face-geometry family's seed-style functions, declared onto its operations and layers."""

from __future__ import annotations

from pyfame.core.face_geometry.align_operation import FaceAlignment
from pyfame.core.face_geometry.average_operation import FaceAverage
from pyfame.core.face_geometry.caricature_operation import FaceCaricature
from pyfame.core.face_geometry.composite_operation import FaceComposite
from pyfame.core.face_geometry.feature_shift_layer import FeatureShift
from pyfame.core.face_geometry.morph_operation import FaceMorph
from pyfame.core.face_geometry.thatcher_layer import ThatcherIllusion
from pyfame.pipeline.seed_function import seed_function

align_faces = seed_function(
    "align_faces", FaceAlignment, signature=("size", "eye_y", "eye_distance"), module=__name__,
    summary="Align faces: every still and video moved by a similarity transform (never stretched) onto a canvas of "
            "size = (width, height), the eye centres at height eye_y and eye_distance apart (fractions of the canvas). "
            "Videos are aligned frame by frame into a head-stabilised clip, the transform smoothed over frames. "
            "Writes each input under its own name and a table of the transforms.",
    example='align_faces("faces/", "out/", size=(512, 512), eye_y=0.4, eye_distance=0.3)')

average_faces = seed_function(
    "average_faces", FaceAverage, signature=("output_filename", "size"), module=__name__,
    summary="An average face (prototype) of a set of stills: the faces aligned on their eyes, the mean of their "
            "meshes (the average shape) and every face warped to it and averaged (the average texture). Writes "
            "<output_filename>.png and its template, <output_filename>_template.csv (the average mesh). A still "
            "without a face is an error naming it, unless skip_missing=True.",
    example='average_faces("faces/", "out/", output_filename="average", size=(512, 512))')

morph_faces = seed_function(
    "morph_faces", FaceMorph, signature=("weights", "shape_weights", "texture_weights", "size"), module=__name__,
    summary="A morph continuum from face_a (weight 0) to face_b (weight 1), the faces aligned on their eyes first; "
            "shape and texture may be weighted apart. Optionally the continuum as a video; two videos of one length "
            "are morphed frame by frame.",
    example='morph_faces("a.png", "b.png", "out/", weights=(0, 0.25, 0.5, 0.75, 1))')

caricature_faces = seed_function(
    "caricature_faces", FaceCaricature, signature=("reference", "strength"), module=__name__,
    summary="Caricatures (strength > 1) or anti-caricatures (< 1): each face's shape moved away from or towards a "
            "reference (a face image or a template table from average_faces), its texture kept, its frame kept.",
    example='caricature_faces("faces/", "out/", "out/Averages/average_template.csv", strength=1.5)')

thatcherize_faces = seed_function(
    "thatcherize_faces", ThatcherIllusion, signature=("regions", "invert_face"), module=__name__,
    summary="The Thatcher illusion: each eye and the mouth (or the features named) turned upside down in place, "
            "feathered, every other pixel unchanged; optionally the whole face inverted. On videos the features "
            "turn with the tracked face.",
    example='thatcherize_faces("faces/", "out/", regions=("eyes", "mouth"), invert_face=False)')

composite_faces = seed_function(
    "composite_faces", FaceComposite, signature=("misalign", "gap_px"), module=__name__,
    summary="Composite faces: the top half of every face of top_dir joined to the bottom half of every face of "
            "bottom_dir, both aligned on their eyes, split along a line through the nose bridge; the bottom half "
            "optionally misaligned sideways by a fraction of the face width, with a gap.",
    example='composite_faces("tops/", "bottoms/", "out/", misalign=0.5)')

shift_features = seed_function(
    "shift_features", FeatureShift, signature=("eye_spacing", "mouth_offset"), module=__name__,
    summary="Configural changes: the eyes moved apart or together and the mouth up or down, by fractions of the eye "
            "distance, the skin warped smoothly around them; pixels outside the face unchanged.",
    example='shift_features("faces/", "out/", eye_spacing=0.1, mouth_offset=0.0)')
