"""``tinygrad_edu.utils.data``: ``tinygrad_edu.data`` under PyTorch's name, ``torch.utils.data``."""
from ..data import (  # noqa: F401
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)
