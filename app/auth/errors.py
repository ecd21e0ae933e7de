"""Why a request about accounts was refused; mapped to HTTP in app/errors.py."""


class NotAuthenticated(Exception):
    """No valid session: log in first."""


class Forbidden(Exception):
    """Logged in, but this account may not do this."""


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token."""


class LoginFailed(Exception):
    """Wrong email or password; deliberately the same for unknown accounts."""


class LoginThrottled(Exception):
    """Too many failed logins recently (for the account or the client address)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many failed logins; try again later")
        self.retry_after_s = retry_after_s


class AccountProblem(ValueError):
    """An account cannot be created or changed as asked (taken email, weak password …)."""
