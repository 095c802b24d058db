"""evalkit: evaluate domestic-abuse perpetrator programmes from anonymised data.

Start with :func:`load`, which checks a data folder and returns a frozen :class:`Dataset`; every
analysis takes that Dataset (or one of its tables) first. The layers, each a sub-package:

- ``evalkit.data``: the file contracts, reading and validation, the Dataset, data-quality
  summaries, the synthetic data generator and the data dictionary;
- ``evalkit.privacy``: the identifier guard and keyed pseudonymisation;
- ``evalkit.stats``: generic statistics, parameterised by column names;
- ``evalkit.scales``: questionnaire keys and scoring (built-in and a programme's own);
- ``evalkit.analyses``: one module per evaluation question (attendance, delivery, ...);
- ``evalkit.publish``: result tables, disclosure control, charts and the report.

The numbered notebooks in ``notebooks/`` tell the story by calling the library, and
``evalkit report`` renders them on a data folder.

Examples
--------
>>> import evalkit
>>> dataset = evalkit.load("data/sample")
>>> dataset.has("attendance")
True
"""

from .data.dataset import Dataset
from .data.validate import load, validate_folder
from .errors import (
    DataValidationError,
    EvalkitError,
    KeyFileError,
    MissingDataError,
    OutputFolderError,
    Problem,
    UsageError,
)

__all__ = [
    "DataValidationError",
    "Dataset",
    "EvalkitError",
    "KeyFileError",
    "MissingDataError",
    "OutputFolderError",
    "Problem",
    "UsageError",
    "load",
    "validate_folder",
]
__version__ = "0.1.0"
