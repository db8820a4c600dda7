"""What the acting user of a :class:`core.records.Records` may do: section and record rights, the rows
and fields they reach. Every add-on takes part through ``flowcase_record_access``,
``flowcase_record_filter`` and the column rights; superusers and sudo services are not limited.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import AccessDenied, RecordNotFound
from core.sections import Section


class RecordRights:
    """The rights half of the records service (it needs ``user``, ``is_sudo``, ``session`` and ``_hook``)."""

    @property
    def unrestricted(self) -> bool:
        """Sudo or a superuser: no right, record rule or column right limits this service."""
        return self.is_sudo or (self.user is not None and getattr(self.user, "is_superuser", False))

    def can(self, section: Section, operation: str, record=None) -> bool:
        """Whether the acting user may do ``operation``; superusers and sudo may do anything."""
        if self.unrestricted:
            return True
        answers = self._hook("flowcase_record_access")(
            user=self.user, section=section, operation=operation, record=record
        )
        if any(answer is False for answer in answers):
            return False
        if any(answer is True for answer in answers):
            return True
        # Default policy while no add-on decides: signed-in, active users may work.
        return self.user is not None and getattr(self.user, "is_active", False)

    def check_listable(self, section: Section) -> None:
        """Refuse, saying why, a list of a section the user may read no record of.

        Its rights condition would only make the list empty, which reads as "there
        is nothing here"; every list door (page, export, REST, OData) calls this
        first. Single records keep answering "does not exist", so a hidden record's
        existence is not given away.
        """
        if not self.can(section, "read"):
            raise AccessDenied(_l("You have no access to %(section)s. Ask an administrator for it.",
                                  section=section.title_plural))

    def _check(self, section: Section, operation: str, record=None) -> None:
        if not self.can(section, operation, record):
            if operation == "read" or (record is not None and not self.can(section, "read", record)):
                raise RecordNotFound(_l("%(section)s #%(id)s does not exist", section=section.title, id=getattr(record, "id", "?")))
            raise AccessDenied(_l("You may not %(operation)s %(section)s records", operation=operation, section=section.title))

    def filters(self, section: Section, operation: str = "read") -> list:
        """The one SQL condition that limits what the user reaches, as a list of at most one clause.

        Rights, record rules and any add-on's filters are ANDed into a single
        clause, so every door (list, count, get by id, detail grid, typeahead,
        export, admin) applies the same thing; empty for superusers and sudo.
        """
        if self.unrestricted:
            return []
        results = self._hook("flowcase_record_filter")(user=self.user, section=section, operation=operation)
        clauses = [clause for clause in results if clause is not None]
        return [sa.and_(*clauses)] if len(clauses) > 1 else clauses

    def field_access(self, section: Section):
        """The fields of ``section`` hidden from or read-only for the user (column rights; none for superusers)."""
        from core.security.policy import NO_RESTRICTION, field_access

        if self.unrestricted:
            return NO_RESTRICTION
        return field_access(self.session, self.user, section)
