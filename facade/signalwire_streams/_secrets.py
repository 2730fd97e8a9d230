"""Credentials held so that no repr shows them, and so no traceback's captured locals do.

Error trackers (Sentry, `traceback.TracebackException(capture_locals=True)`) record the repr
of every local of every frame an exception passes through. So a function of this package
that receives a credential rebinds it to a `Secret` at once, checks it with `reveal_checked`
(whose raising frame holds only the `Secret`), and reveals it only inline where it is used.
"""

from __future__ import annotations

from collections.abc import Callable

from ._errors import ValidationError

__all__ = ["REDACTED", "Secret", "reveal_checked"]

REDACTED = "[secure]"


class Secret:
    """A credential: an API token, a bearer token or a signing key. `repr` hides it."""

    __slots__ = ("_value",)

    def __init__(self, value: object) -> None:
        self._value = value.reveal() if isinstance(value, Secret) else value

    def reveal(self) -> object:
        """The value as given, which may not even be text: check it with `reveal_checked`."""
        return self._value

    def text(self) -> str:
        """The value of a secret already checked to be text."""
        assert isinstance(self._value, str), "check it first, with reveal_checked"
        return self._value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__


def reveal_checked(field: str, secret: Secret, problem: Callable[[object], str | None]) -> str:
    """The secret's text once `problem(value)` (which returns a rule, never raises) has no
    objection; otherwise a ValidationError naming the field and the rule, never the value."""
    rule = problem(secret.reveal())
    if rule is not None:
        raise ValidationError(field, rule)
    text = secret.reveal()
    assert isinstance(text, str), "problem() must object to anything but text"
    return text if type(text) is str else str.__str__(text)  # a subclass's own text
