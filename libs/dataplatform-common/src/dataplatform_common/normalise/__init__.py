"""Normalisation rules shared by the enrichment API and the pipeline's silver layer.

Only the standard library and `phonenumbers` are needed. Each value rule returns the canonical form or
raises NormalisationError(code, message); `normalise_record` applies an entity's rules to a whole record.
"""

from dataplatform_common.normalise.dates import normalise_date, parse_date
from dataplatform_common.normalise.email import normalise_email
from dataplatform_common.normalise.entities import CLAIM, CUSTOMER, ENTITIES
from dataplatform_common.normalise.errors import NormalisationError
from dataplatform_common.normalise.phone import normalise_phone
from dataplatform_common.normalise.postal import PostalInfo, PostalReference, normalise_postal_code
from dataplatform_common.normalise.records import FieldError, FieldRule, RecordResult, normalise_record
from dataplatform_common.normalise.text import clean_text, match_key, strip_accents

__all__ = [
    "CLAIM",
    "CUSTOMER",
    "ENTITIES",
    "FieldError",
    "FieldRule",
    "NormalisationError",
    "PostalInfo",
    "PostalReference",
    "RecordResult",
    "clean_text",
    "match_key",
    "normalise_date",
    "normalise_email",
    "normalise_phone",
    "normalise_postal_code",
    "normalise_record",
    "parse_date",
    "strip_accents",
]
