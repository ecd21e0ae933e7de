"""Why a place could not be saved; mapped to HTTP in app/errors.py."""


class PlaceInvalid(ValueError):
    """The form cannot be saved: ``problems`` must be fixed, ``warnings`` need a confirmation."""

    def __init__(self, problems: list[tuple[str, str]], warnings: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _, m in problems + warnings))
        self.problems = problems
        self.warnings = warnings


class StaleVersion(Exception):
    """The place changed since the editor loaded it; ``current`` is how it is now."""

    def __init__(self, place_id: int, expected: int, current: dict) -> None:
        super().__init__(f"place {place_id} was changed by someone else (you edited version "
                         f"{expected}, it is now at version {current['version']})")
        self.place_id = place_id
        self.expected = expected
        self.current = current
