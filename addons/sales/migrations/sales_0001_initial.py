"""sales: stages, reasons, product categories and units, products, leads, opportunities, product lines.

Constraint and index names are spelled out and follow ``core.db.NAMING_CONVENTION``.
"""
import sqlalchemy as sa
from alembic import op

revision = "sales_0001"
down_revision = None
branch_labels = ("sales",)
depends_on = "crm_0001"

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


def _lookup(table: str, *columns) -> None:
    op.create_table(
        table,
        *_record_columns(table),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("code", sa.String(50)),
        *columns,
        sa.UniqueConstraint("code", name=f"uq_{table}_code"),
    )


def _line_columns(table: str) -> list:
    return [
        _fk(table, "product_id", "sales_product", nullable=False),
        sa.Column("quantity", sa.Numeric(14, 3), nullable=False),
        sa.Column("unit_price", MONEY),
        sa.Column("discount", sa.Numeric(5, 2), nullable=False),
        sa.Column("line_total", MONEY),
    ]


def upgrade():
    _lookup(
        "sales_stage",
        sa.Column("stage_set", sa.String(50), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("colour", sa.String(20)),
        sa.Column("is_won", sa.Boolean, nullable=False),
        sa.Column("is_lost", sa.Boolean, nullable=False),
        sa.Column("probability", sa.Integer),
    )
    op.create_index("ix_sales_stage_stage_set", "sales_stage", ["stage_set", "sequence"])
    _lookup("sales_reason", sa.Column("kind", sa.String(30), nullable=False))
    _lookup("sales_product_category", _fk("sales_product_category", "parent_id", "sales_product_category", "SET NULL"))
    op.create_index("ix_sales_product_category_parent_id", "sales_product_category", ["parent_id"])
    _lookup("sales_product_unit")

    t = "sales_account"
    op.create_table(
        t,
        sa.Column("id", sa.Integer, sa.ForeignKey("crm_account.id", name=f"fk_{t}_id_crm_account", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("tax_id", sa.String(30)),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
    )
    op.create_index("ix_sales_account_tax_id", t, ["tax_id"])

    t = "sales_product"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("sku", sa.String(64)),
        _fk(t, "category_id", "sales_product_category"),
        _fk(t, "unit_id", "sales_product_unit"),
        sa.Column("price", MONEY),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text),
        sa.UniqueConstraint("sku", name=f"uq_{t}_sku"),
    )
    op.create_index("ix_sales_product_name", t, ["name"])
    op.create_index("ix_sales_product_category_id", t, ["category_id"])

    t = "sales_lead"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("need", sa.Text),
        sa.Column("company_name", sa.String(250)),
        sa.Column("person_name", sa.String(250)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(50)),
        sa.Column("tax_id", sa.String(30)),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        _fk(t, "contact_id", "crm_contact", "SET NULL"),
        sa.Column("qualification_status", sa.String(30), nullable=False),
        _fk(t, "stage_id", "sales_stage"),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        _fk(t, "disqualify_reason_id", "sales_reason"),
        sa.Column("nurture_until", sa.Date),
        sa.Column("nurture_note", sa.Text),
    )
    for column in ("owner_id", "stage_id", "account_id", "contact_id"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "sales_opportunity"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        _fk(t, "contact_id", "crm_contact", "SET NULL"),
        _fk(t, "lead_id", "sales_lead", "SET NULL"),
        sa.Column("amount", MONEY),
        sa.Column("currency", sa.String(3)),
        _fk(t, "stage_id", "sales_stage"),
        sa.Column("probability", sa.Integer),
        sa.Column("expected_close_date", sa.Date),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        _fk(t, "lost_reason_id", "sales_reason"),
    )
    for column in ("owner_id", "stage_id", "account_id", "lead_id"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "sales_lead_product"
    op.create_table(t, *_record_columns(t), *_line_columns(t), _fk(t, "lead_id", "sales_lead", "CASCADE", nullable=False))
    op.create_index(f"ix_{t}_lead_id", t, ["lead_id"])
    t = "sales_opportunity_product"
    op.create_table(t, *_record_columns(t), *_line_columns(t),
                    _fk(t, "opportunity_id", "sales_opportunity", "CASCADE", nullable=False))
    op.create_index(f"ix_{t}_opportunity_id", t, ["opportunity_id"])


def downgrade():
    # Referencing tables first; dropping a table drops its indexes.
    for table in ("sales_opportunity_product", "sales_lead_product", "sales_opportunity", "sales_lead",
                  "sales_product", "sales_account", "sales_product_unit", "sales_product_category", "sales_reason", "sales_stage"):
        op.drop_table(table)
