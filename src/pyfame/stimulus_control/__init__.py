"""Stimulus control on the face: luminance and statistics matching, spatial-frequency filtering,
hybrid faces and reverse-correlation noise, as pure functions over arrays.

The file-level functions, CLI commands and experiment operations are built on these.
"""
