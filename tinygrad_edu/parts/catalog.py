"""Every part, chapter by chapter: importing this module registers them all."""

from . import ch01, ch02, ch03, ch04, ch05_07, ch08_09, ch10, outputs  # noqa: F401
