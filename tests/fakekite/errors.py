"""The one error the fake's endpoints raise."""

from __future__ import annotations


class ApiError(Exception):
    """A request Kite would refuse: becomes the error envelope with this HTTP status."""

    def __init__(self, message: str, status: int = 400, error_type: str = "InputException"):
        super().__init__(message)
        self.message, self.status, self.error_type = message, status, error_type
