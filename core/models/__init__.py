"""Core tables: users, add-on state, external ids of seeded records, the change log."""
from core.models.addon_state import AddonState, AddonStatus
from core.models.api_key import ApiKey
from core.models.change_log import ChangeLog
from core.models.custom_field import CustomField
from core.models.external_id import ExternalId
from core.models.external_ref import ExternalRef
from core.models.user import User

__all__ = ["AddonState", "AddonStatus", "ApiKey", "ChangeLog", "CustomField", "ExternalId", "ExternalRef", "User"]
