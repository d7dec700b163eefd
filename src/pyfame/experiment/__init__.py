"""Whole stimulus sets: experiment files, executors, manifests, contact sheets."""

from pyfame.experiment.experiment import Experiment, ExperimentError, derived_seed
from pyfame.experiment.report import RunReport

__all__ = ["Experiment", "ExperimentError", "RunReport", "derived_seed"]
