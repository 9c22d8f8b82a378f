"""The former home of :func:`planner.io.validation.validate`, kept for callers of that path."""

from planner.io.validation import validate

__all__ = ["validate"]
