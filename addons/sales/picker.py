"""The product picker's query: products by category (with its sub-categories) and by any product field.

Field conditions are written in the shared filter language and compiled
against the product section's ``fields()``, so fields other add-ons add to
products (``dealer.brand``) filter like the product's own with no code here.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.filters import compile_filter

from .models import ProductCategory

#: Products the picker lists at once; narrowing the filter finds the rest.
PICKER_LIMIT = 100
#: Field types the picker offers an input for (free text is searched by ``q``).
_FILTER_TYPES = ("string", "lookup", "choice", "boolean", "integer", "decimal")
#: Product fields the picker handles itself or that make no sense to filter on.
_OWN_INPUTS = ("name", "sku", "category_id", "active", "description")


def picker_fields(section) -> list:
    """The product fields offered as filters: own and extension fields, category and search aside."""
    return [info for info in section.fields() if info.type in _FILTER_TYPES and info.path not in _OWN_INPUTS]


def category_tree(records) -> list[tuple[int, str, int]]:
    """Categories the user may read as ``(id, name, depth)``, depth-first, children after their parent."""
    rows = records.session.execute(
        records.select("product_category").with_only_columns(
            ProductCategory.id, ProductCategory.name, ProductCategory.parent_id).order_by(ProductCategory.name)
    ).all()
    known = {row.id for row in rows}
    children: dict = {}
    for row in rows:
        parent = row.parent_id if row.parent_id in known else None
        children.setdefault(parent, []).append(row)
    result, stack = [], [(row, 0) for row in reversed(children.get(None, []))]
    seen = set()
    while stack:
        row, depth = stack.pop()
        if row.id in seen:  # a loop an old row may hold: show each node once
            continue
        seen.add(row.id)
        result.append((row.id, row.name, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(row.id, [])))
    return result


def subtree_ids(records, category_id: int) -> list[int]:
    """``category_id`` and every category below it."""
    rows = records.session.execute(sa.select(ProductCategory.id, ProductCategory.parent_id)).all()
    children: dict = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row.id)
    found, todo = set(), [category_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return sorted(found)


def filter_tree(section, args) -> dict:
    """A filter tree from the page's ``f.<path>`` inputs: text contains, everything else equals."""
    nodes = []
    for info in picker_fields(section):
        raw = (args.get(f"f.{info.path}") or "").strip()
        if raw:
            op = "icontains" if info.type == "string" else "eq"
            nodes.append({"field": info.path, "op": op, "value": raw})
    return {"all": nodes}


def find_products(records, section, args, user=None) -> list:
    """Active products matching the page's inputs (``category``, ``q``, ``f.<path>``), through the user's rights.

    :raises ValidationError: when an input does not fit its field (a word in a number field).
    """
    model = section.model
    stmt = records.select(section).where(model.active.is_(True))
    category = (args.get("category") or "").strip()
    if category:
        if not category.isdigit():
            raise ValidationError({"category": [_l("Choose a category from the list.")]})
        stmt = stmt.where(model.category_id.in_(subtree_ids(records, int(category))))
    text = (args.get("q") or "").strip()
    if text:
        stmt = stmt.where(sa.or_(model.name.icontains(text, autoescape=True), model.sku.icontains(text, autoescape=True)))
    stmt = stmt.where(compile_filter(section, filter_tree(section, args), user, records=records))
    return list(records.session.scalars(stmt.order_by(model.name, model.id).limit(PICKER_LIMIT)))


def picked_lines(args, parent_field: str, parent_id: int) -> list[dict]:
    """Line values for the products ticked on the page (``pick``), with their ``qty.<id>`` quantities."""
    lines, errors = [], {}
    for raw in args.getlist("pick"):
        if not str(raw).isdigit():
            continue
        product_id = int(raw)
        quantity = (args.get(f"qty.{product_id}") or "1").strip().replace(",", ".")
        try:
            number = Decimal(quantity)
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or number <= 0:
            errors[f"qty.{product_id}"] = [_l("The quantity must be a number more than zero.")]
            continue
        lines.append({parent_field: parent_id, "product_id": product_id, "quantity": number})
    if errors:
        raise ValidationError(errors)
    if not lines:
        raise ValidationError(_l("Tick at least one product to add."))
    return lines
