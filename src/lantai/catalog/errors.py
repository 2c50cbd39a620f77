"""The catalogue's refusals, each with a stable code and an English msgid (Chinese in zh_Hans)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantai.core.errors import Conflict, LantaiError, ValidationFailed


class ArchivalCodeInvalid(LantaiError):
    code = "catalog.archival_code_invalid"
    http_status = 422
    default_message = _("The archival code does not follow the rule.")


class ArchivalCodeIncomplete(LantaiError):
    code = "catalog.archival_code_incomplete"
    http_status = 422
    default_message = _("The archival code cannot be formed: a value it needs is missing.")


class CodeRuleInvalid(LantaiError):
    code = "catalog.code_rule_invalid"
    http_status = 422
    default_message = _("The archival code rule is not valid.")


class NoCodeRule(LantaiError):
    code = "catalog.no_code_rule"
    http_status = 422
    default_message = _("No archival code rule is set up for this fonds and category.")


class DuplicateArchivalCode(Conflict):
    code = "catalog.duplicate_archival_code"
    default_message = _("The archival code is already in use.")


class MetadataInvalid(ValidationFailed):
    """``details`` is the list of field errors: field, label, rule, message, value."""

    code = "catalog.metadata_invalid"
    default_message = _("Some fields are not valid.")


class NoScheme(LantaiError):
    code = "catalog.no_scheme"
    http_status = 422
    default_message = _("The category has no current metadata scheme.")


class FondsCodeTaken(Conflict):
    code = "catalog.fonds_code_taken"
    default_message = _("A fonds with this code already exists.")


class SchemeInvalid(ValidationFailed):
    code = "catalog.scheme_invalid"
    default_message = _("The metadata field definition is not valid.")


class RenumberInvalid(LantaiError):
    code = "catalog.renumber_invalid"
    http_status = 422
    default_message = _("The items cannot be renumbered this way.")


class VolumeMismatch(LantaiError):
    code = "catalog.volume_mismatch"
    http_status = 422
    default_message = _("The item and the volume belong to different fonds or categories.")
