"""evalkit: evaluate domestic-abuse perpetrator programmes from anonymised data.

The library does the work; the numbered notebooks in ``notebooks/`` tell the story by calling it,
and ``evalkit report`` renders them on a data folder. Start with :func:`load`.
"""

from .data.dataset import Dataset
from .data.validate import load, validate_folder
from .errors import DataValidationError, EvalkitError, Problem

__all__ = ["DataValidationError", "Dataset", "EvalkitError", "Problem", "load", "validate_folder"]
__version__ = "0.1.0"
