"""The initial maximum price (NMC) of a tender, computed from its price monitoring.

The method is the tender's ``nmc_method`` (minimum, average or median of the
offers); with ``nmc_with_past`` the prices of earlier contracts with
customers of the same group count as well. New tenders take the method from
the app setting ``FLOWCASE_TENDERS_NMC_METHOD`` (default ``median``).
"""
from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app, has_app_context

from .models import NmcMethod, OfferKind, TenderOffer

_CENT = Decimal("0.01")
#: The app setting naming the method new tenders start with.
METHOD_SETTING = "FLOWCASE_TENDERS_NMC_METHOD"


def default_method() -> str:
    """The method new tenders start with: the app setting when it names a known method, else median."""
    method = current_app.config.get(METHOD_SETTING) if has_app_context() else None
    return method if method in NmcMethod.ALL else NmcMethod.MEDIAN


def compute_nmc(offers, past=(), method: str = NmcMethod.MEDIAN, with_past: bool = False) -> Decimal | None:
    """The initial maximum price from offer prices (and past contract prices when ``with_past``), to the cent.

    :return: None when there is no price to go by.
    """
    prices = [Decimal(p) for p in offers if p is not None]
    if with_past:
        prices += [Decimal(p) for p in past if p is not None]
    if not prices:
        return None
    if method == NmcMethod.MINIMUM:
        value = min(prices)
    elif method == NmcMethod.AVERAGE:
        value = sum(prices) / len(prices)
    elif method == NmcMethod.MEDIAN:
        value = statistics.median(prices)
    else:
        raise ValueError(f"unknown NMC method {method!r}")
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def monitoring_prices(session, tender_id) -> tuple[list[Decimal], list[Decimal]]:
    """The tender's offer prices and earlier contract prices (one query)."""
    offers, past = [], []
    rows = session.execute(sa.select(TenderOffer.kind, TenderOffer.price).where(TenderOffer.tender_id == tender_id))
    for kind, price in rows:
        (past if kind == OfferKind.PAST_CONTRACT else offers).append(price)
    return offers, past


def tender_nmc(session, tender) -> Decimal | None:
    """The NMC the tender's method gives from its monitoring as stored now."""
    if tender.id is None:
        return None
    offers, past = monitoring_prices(session, tender.id)
    return compute_nmc(offers, past, tender.nmc_method or default_method(), bool(tender.nmc_with_past))


def deviation(price, nmc) -> Decimal | None:
    """How far a price is from the NMC, in percent (negative: below it)."""
    if price is None or not nmc:
        return None
    return ((Decimal(price) - Decimal(nmc)) * 100 / Decimal(nmc)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
