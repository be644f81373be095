"""``tinygrad_edu.data``: datasets, the DataLoader, toy problems and the 8x8 digits.

The PyTorch names live in ``torch.utils.data``; ``tinygrad_edu.utils.data`` is the same module.
"""
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
from .digits import load_digits
from .toy import make_circles, make_moons, make_spirals

__all__ = [
    "DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "load_digits",
    "make_circles", "make_moons", "make_spirals", "random_split",
]
