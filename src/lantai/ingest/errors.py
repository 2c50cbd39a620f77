"""The refusals of online archiving, each with a stable code (the API's ``code`` field).

Transport and structure errors (this module, except ``ChecksFailed``) leave no submission,
no staged and no stored file behind; only a failure audit event records them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantai.core.errors import Conflict, LantaiError, NotFound, ValidationFailed


class IngestError(LantaiError):
    code = "ingest.invalid"
    http_status = 400
    default_message = _("The submission could not be received.")


class MalformedRequest(IngestError):
    code = "ingest.malformed_request"
    default_message = _("The submission request is malformed: %(reason)s")


class BadMetadataJson(IngestError):
    code = "ingest.bad_metadata_json"
    default_message = _("The metadata part is not valid JSON of the expected shape: %(reason)s")


class UnsafePath(IngestError):
    code = "ingest.unsafe_path"
    default_message = _("The package contains an unsafe path (absolute, drive letter or '..'): %(path)s")


class SymlinkRefused(IngestError):
    code = "ingest.symlink"
    default_message = _("The package contains a symbolic link, which is not accepted: %(path)s")


class EncryptedEntry(IngestError):
    code = "ingest.encrypted_entry"
    default_message = _("The package contains an encrypted entry: %(path)s")


class UnsupportedCompression(IngestError):
    code = "ingest.unsupported_compression"
    default_message = _("The package uses a compression method that is not accepted: %(path)s")


class ZipBomb(IngestError):
    code = "ingest.zip_bomb"
    http_status = 413
    default_message = _("The package expands beyond the allowed size or compression ratio: %(path)s")


class TooLarge(IngestError):
    code = "ingest.too_large"
    http_status = 413
    default_message = _("The submission is larger than allowed (%(limit)s).")


class TooManyFiles(IngestError):
    code = "ingest.too_many_files"
    http_status = 413
    default_message = _("The submission has more files than allowed (%(limit)s).")


class BadFileName(IngestError):
    code = "ingest.bad_file_name"
    default_message = _("A file name cannot be decoded or is not allowed: %(path)s")


class DuplicatePath(IngestError):
    code = "ingest.duplicate_path"
    default_message = _("The same path occurs twice in the package: %(path)s")


class XmlForbiddenConstruct(IngestError):
    code = "ingest.xml_forbidden_construct"
    default_message = _("The XML file %(path)s contains a DTD or entity declaration, which is not accepted.")


class XmlMalformed(IngestError):
    code = "ingest.xml_malformed"
    default_message = _("The XML file %(path)s cannot be parsed: %(reason)s")


class UnparseablePackage(IngestError):
    code = "ingest.unparseable_package"
    default_message = _("The package cannot be read as %(kind)s: %(reason)s")


class BagInvalid(IngestError):
    code = "ingest.bagit_invalid"
    default_message = _("The BagIt bag is not valid: %(reason)s")


class UnknownFonds(IngestError):
    code = "ingest.unknown_fonds"
    http_status = 422
    default_message = _("Fonds %(value)s does not exist or is not open to this institution.")


class UnknownCategory(IngestError):
    code = "ingest.unknown_category"
    http_status = 422
    default_message = _("Category %(value)s does not exist.")


class BadDigest(IngestError):
    code = "ingest.bad_declared_digest"
    default_message = _("A declared digest is not a valid %(algorithm)s value: %(value)s")


class PackageIdConflict(Conflict):
    code = "ingest.package_id_conflict"
    default_message = _("Package %(package_id)s was already submitted with different content.")


class ChecksFailed(ValidationFailed):
    code = "ingest.checks_failed"
    default_message = _("The submission did not pass the four-property checks.")


class WrongStatus(Conflict):
    code = "ingest.wrong_status"
    default_message = _("This cannot be done while the submission is %(status)s.")


class ReasonRequired(ValidationFailed):
    code = "ingest.reason_required"
    default_message = _("Give a reason for returning the submission.")


class SubmissionNotFound(NotFound):
    code = "not_found"
