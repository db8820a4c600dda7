"""Web forms: what a landing page's form creates, and the submissions counted for the per-IP rate limit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin, utcnow


class WebForm(RecordMixin, Base):
    """A public form served at ``/forms/<slug>`` whose submissions create records of ``section``.

    The configuration is plain text, one item a line, so the generated admin
    form edits it (see :mod:`core.webforms.spec` for the syntax):

    - ``fields``: ``path | label | required`` (``person_name | Your name | required``);
    - ``defaults``: ``path = value`` applied to every submission (``source = web_form``);
    - ``allowed_origins``: ``https://landing.example.com``, the sites allowed to post from a browser.
    """

    __tablename__ = "core_web_form"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The public key in the URL (``/forms/<slug>``).
    slug: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    #: Name of the section submissions create records in (``lead``).
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    fields: Mapped[str] = mapped_column(Text, nullable=False, default="")
    defaults: Mapped[str | None] = mapped_column(Text)
    allowed_origins: Mapped[str | None] = mapped_column(Text)
    #: Where the browser goes after a successful plain-HTML submission.
    success_url: Mapped[str | None] = mapped_column(String(500))
    success_message: Mapped[str | None] = mapped_column(Text)
    #: The user records are created as (rights apply); empty: the system (sudo).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class WebFormHit(Base):
    """One submission attempt from an address, kept for the rate-limit window (shared by every process)."""

    __tablename__ = "core_web_form_hit"
    __table_args__ = (Index("ix_core_web_form_hit_ip", "ip", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), nullable=False)
    form_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
