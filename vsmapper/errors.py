"""The one exception type for problems a user can cause and fix."""

from __future__ import annotations


class VSMapperError(Exception):
    """A bad file, value or spreadsheet, with a message a person can act on.

    ``details`` are further lines to list under the message, such as a spreadsheet's
    row errors.
    """

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        return self.message
