"""contracts: stages, numbering sequences, contracts, planned payments, invoices and payments.

Constraint and index names are spelled out and follow ``core.db.NAMING_CONVENTION``.
"""
import sqlalchemy as sa
from alembic import op

revision = "contracts_0001"
down_revision = None
branch_labels = ("contracts",)
depends_on = "sales_0001"

MONEY = sa.Numeric(16, 2)


def _record_columns(table: str) -> list:
    """The columns of ``core.db.RecordMixin``, with their constraint names for ``table``."""
    return [
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_created_by_id_core_user", ondelete="SET NULL")),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_updated_by_id_core_user", ondelete="SET NULL")),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _fk(table: str, column: str, target: str, ondelete: str | None = None, nullable: bool = True) -> sa.Column:
    return sa.Column(column, sa.Integer, sa.ForeignKey(
        f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete), nullable=nullable)


def _planned_payment_fk(table: str) -> sa.Column:
    # The conventional name would pass PostgreSQL's 63-character limit; the model names it the same way.
    return sa.Column("planned_payment_id", sa.Integer, sa.ForeignKey(
        "contracts_planned_payment.id", name=f"fk_{table}_planned_payment_id", ondelete="SET NULL"))


def _child_columns(table: str) -> list:
    return [
        _fk(table, "contract_id", "contracts_contract", "CASCADE", nullable=False),
    ]


def upgrade():
    t = "contracts_stage"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("code", sa.String(50)),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("colour", sa.String(20)),
        sa.Column("state", sa.String(30), nullable=False),
        sa.UniqueConstraint("code", name=f"uq_{t}_code"),
    )

    t = "contracts_sequence"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("direction", sa.String(30)),
        sa.Column("prefix", sa.String(50), nullable=False),
        sa.Column("padding", sa.Integer, nullable=False),
        sa.Column("per_year", sa.Boolean, nullable=False),
        sa.Column("counter_year", sa.Integer),
        sa.Column("next_number", sa.Integer, nullable=False),
        sa.UniqueConstraint("code", name=f"uq_{t}_code"),
    )

    t = "contracts_contract"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("number", sa.String(50)),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        _fk(t, "account_id", "crm_account", nullable=False),
        sa.Column("direction", sa.String(30), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        _fk(t, "stage_id", "contracts_stage"),
        _fk(t, "opportunity_id", "sales_opportunity", "SET NULL"),
        _fk(t, "parent_contract_id", "contracts_contract", "SET NULL"),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        sa.Column("description", sa.Text),
        sa.UniqueConstraint("number", name=f"uq_{t}_number"),
    )
    for column in ("account_id", "owner_id", "stage_id", "opportunity_id", "parent_contract_id"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "contracts_planned_payment"
    op.create_table(
        t,
        *_record_columns(t),
        *_child_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("planned_date", sa.Date, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("paid_amount", MONEY, nullable=False),
        sa.Column("remaining", MONEY, nullable=False),
        sa.Column("paid_date", sa.Date),
        sa.Column("direction", sa.String(30), nullable=False),
        sa.Column("description", sa.String(250)),
    )
    for column in ("contract_id", "planned_date"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "contracts_invoice"
    op.create_table(
        t,
        *_record_columns(t),
        *_child_columns(t),
        sa.Column("number", sa.String(50), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("due_date", sa.Date),
        _planned_payment_fk(t),
        sa.Column("direction", sa.String(30), nullable=False),
        sa.Column("description", sa.String(250)),
    )
    for column in ("contract_id", "planned_payment_id"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "contracts_payment"
    op.create_table(
        t,
        *_record_columns(t),
        *_child_columns(t),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        _planned_payment_fk(t),
        _fk(t, "invoice_id", "contracts_invoice", "SET NULL"),
        sa.Column("direction", sa.String(30), nullable=False),
        sa.Column("description", sa.String(250)),
    )
    for column in ("contract_id", "planned_payment_id", "date"):
        op.create_index(f"ix_{t}_{column}", t, [column])


def downgrade():
    # Referencing tables first; dropping a table drops its indexes.
    for table in ("contracts_payment", "contracts_invoice", "contracts_planned_payment", "contracts_contract",
                  "contracts_sequence", "contracts_stage"):
        op.drop_table(table)
