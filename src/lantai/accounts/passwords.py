"""Password policy beyond Django's validators: mixed character classes (等保 baseline), and the
length rule with a message that has a Chinese translation."""

from __future__ import annotations

from django.contrib.auth import password_validation
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


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with our own wording: Django's zh_Hans catalogue lacks its message."""

    def get_error_message(self) -> str:
        return _("The password is too short: it must have at least %(n)d characters.") % {
            "n": self.min_length
        }

    def get_help_text(self) -> str:
        return _("Use at least %(n)d characters.") % {"n": self.min_length}
