"""The one error every service raises: a refused action with a stable code.

Views branch on `code`, never on the message; the message is already translated and fit
for the person who tried.
"""


class PortalError(Exception):
    """A refused action, with a stable code and a message fit for the person who tried."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message
