"""tenders: stages, tenders, price monitoring offers, implementations, and the contract and opportunity extensions.

Constraint and index names are spelled out and follow ``core.db.NAMING_CONVENTION``.
"""
import sqlalchemy as sa
from alembic import op

revision = "tenders_0001"
down_revision = None
branch_labels = ("tenders",)
depends_on = ("contracts_0001", "projects_0001")

MONEY = sa.Numeric(16, 2)
PERCENT = sa.Numeric(5, 2)


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


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade():
    t = "tenders_stage"
    op.create_table(
        t, *_record_columns(t),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("code", sa.String(50)),
        sa.Column("stage_set", sa.String(50), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("colour", sa.String(20)),
        sa.Column("is_won", sa.Boolean, nullable=False),
        sa.Column("is_lost", sa.Boolean, nullable=False),
        sa.UniqueConstraint("code", name=f"uq_{t}_code"),
    )
    op.create_index("ix_tenders_stage_stage_set", t, ["stage_set", "sequence"])

    t = "tenders_tender"
    op.create_table(
        t, *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        _fk(t, "opportunity_id", "sales_opportunity", "SET NULL"),
        sa.Column("purchase_number", sa.String(100)),
        sa.Column("platform", sa.String(200)),
        sa.Column("submission_deadline", sa.DateTime(timezone=True)),
        sa.Column("nmc", MONEY),
        sa.Column("nmc_method", sa.String(30), nullable=False),
        sa.Column("nmc_with_past", sa.Boolean, nullable=False),
        sa.Column("our_bid", MONEY),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("advance_percent", PERCENT),
        sa.Column("execution_days", sa.Integer),
        sa.Column("result", sa.String(30), nullable=False),
        sa.Column("result_date", sa.Date),
        _fk(t, "lost_reason_id", "sales_reason"),
        _fk(t, "winner_id", "crm_account", "SET NULL"),
        _fk(t, "stage_id", "tenders_stage"),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        sa.Column("description", sa.Text),
    )
    _indexes(t, "account_id", "opportunity_id", "owner_id", "stage_id")

    t = "tenders_offer"
    op.create_table(
        t, *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        _fk(t, "tender_id", "tenders_tender", "CASCADE", nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("offer_date", sa.Date),
        _fk(t, "contract_id", "contracts_contract", "SET NULL"),
        sa.Column("chosen", sa.Boolean, nullable=False),
        sa.Column("advance_percent", PERCENT),
        sa.Column("delivery_days", sa.Integer),
        _fk(t, "stage_id", "tenders_stage"),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        sa.Column("note", sa.Text),
    )
    _indexes(t, "tender_id", "account_id", "contract_id")

    t = "tenders_implementation"
    op.create_table(
        t, *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        _fk(t, "tender_id", "tenders_tender", "CASCADE", nullable=False),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        _fk(t, "opportunity_id", "sales_opportunity", "SET NULL"),
        _fk(t, "project_id", "projects_project", "SET NULL"),
        sa.Column("income", MONEY),
        sa.Column("expense", MONEY),
        sa.Column("margin", MONEY),
        _fk(t, "stage_id", "tenders_stage"),
        _fk(t, "owner_id", "core_user", "SET NULL"),
    )
    _indexes(t, "tender_id", "project_id", "owner_id")

    t = "tenders_contract"
    op.create_table(
        t,
        sa.Column("id", sa.Integer, sa.ForeignKey("contracts_contract.id", name=f"fk_{t}_id_contracts_contract",
                                                  ondelete="CASCADE"), nullable=False),
        _fk(t, "tender_id", "tenders_tender", "SET NULL"),
        _fk(t, "implementation_id", "tenders_implementation", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
    )
    _indexes(t, "tender_id", "implementation_id")

    t = "tenders_opportunity"
    op.create_table(
        t,
        sa.Column("id", sa.Integer, sa.ForeignKey("sales_opportunity.id", name=f"fk_{t}_id_sales_opportunity",
                                                  ondelete="CASCADE"), nullable=False),
        sa.Column("tender_sale", sa.Boolean),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
    )


def downgrade():
    for table in ("tenders_opportunity", "tenders_contract", "tenders_implementation", "tenders_offer",
                  "tenders_tender", "tenders_stage"):
        op.drop_table(table)
