"""Shared pytest setup. Each group of fixtures lives in its own module, imported here."""
from fake_cuda import fake_cuda  # noqa: F401  (the fake "cuda" device: tests/fake_cuda.py)

pytest_plugins = ["parts_plugin"]  # --parts=solutions (tests/parts_plugin.py)
