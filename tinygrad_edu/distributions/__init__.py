"""``tinygrad_edu.distributions``: the probability distributions the beginner canon samples from.

Only ``Multinomial`` for now (d2l's "Probability and Statistics" rolls dice with it).
"""

from .multinomial import Multinomial

__all__ = ["Multinomial"]
