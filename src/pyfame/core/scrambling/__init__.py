"""core.scrambling: grid, landmark and phase scrambles of the face."""

from pyfame.core.scrambling.functions import facial_scramble
from pyfame.core.scrambling.grid_scramble import GridScramble
from pyfame.core.scrambling.landmark_scramble import LandmarkScramble
from pyfame.core.scrambling.phase_scramble import PhaseScramble

__all__ = ["facial_scramble", "GridScramble", "LandmarkScramble", "PhaseScramble"]
