"""Errors a user can act on: each names the file, and where it can, the row and the field."""

from __future__ import annotations


class InputError(Exception):
    """Bad or missing input. The message is one readable paragraph, shown without a traceback."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)
