"""Users who log in: password hashed with scrypt (werkzeug), a superuser flag, a manager."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import Base, utcnow


class User(UserMixin, Base):
    __tablename__ = "core_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    is_superuser: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    language: Mapped[str | None] = mapped_column(String(10))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    manager: Mapped["User | None"] = relationship(remote_side=[id])
    #: Roles held (core.security); rights are the widest over them.
    roles: Mapped[list["Role"]] = relationship("Role", secondary="core_user_role")  # noqa: F821

    def set_password(self, password: str) -> None:
        """Store a scrypt hash of ``password``; the plain text is never kept."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # flask-login reads this
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.login}>"


# The security tables live in core.security; importing them here lets ``User.roles`` resolve
# wherever User is imported.
from core.security.models import Role  # noqa: E402,F401
