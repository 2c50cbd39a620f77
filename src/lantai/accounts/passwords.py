"""Password policy beyond Django's validators: mixed character classes (等保 baseline)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: lower-case letters, upper-case letters, "
                    "digits and symbols."
                )
                % {"n": self.min_classes},
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return _("Use at least %(n)d of: lower-case letters, upper-case letters, digits and symbols.") % {
            "n": self.min_classes
        }
