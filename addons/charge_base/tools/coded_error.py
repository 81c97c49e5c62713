"""Errors of the pure-logic modules, phrased later in the user's language."""


class CodedError(ValueError):
    """``code`` names the rule that failed and ``params`` its values, so that
    the caller can phrase the message in the user's language; the English
    message is for logs and tests."""

    def __init__(self, code, message, **params):
        super().__init__(message)
        self.code = code
        self.params = params
