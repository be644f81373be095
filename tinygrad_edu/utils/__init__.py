"""``tinygrad_edu.utils``: where PyTorch keeps ``utils.data`` (DataLoader, Dataset, ...).

Also the lessons' ``show_source`` / ``show_file`` (``source.py``).
"""
from . import data
from .source import show_file, show_source

__all__ = ["data", "show_file", "show_source"]
