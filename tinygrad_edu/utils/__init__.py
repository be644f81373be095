"""``tinygrad_edu.utils``: where PyTorch keeps ``utils.data`` (DataLoader, Dataset, ...).

Also the lessons' ``show_source`` / ``show_file`` (``source.py``) and ``reveal`` for
"predict, then run" cells (``predict.py``): tinygrad_edu only.
"""
from . import data
from .predict import reveal
from .source import show_file, show_source

__all__ = ["data", "reveal", "show_file", "show_source"]
