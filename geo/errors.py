"""Domain errors of the pure layer; the web layer maps them to HTTP in one place."""


class InvalidParameter(ValueError):
    """A value a person gave makes no sense; ``message`` says why, in words they understand."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
