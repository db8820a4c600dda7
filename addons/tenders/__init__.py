"""Tenders (TECHNAB, CASES.md case 1): tenders, price monitoring, implementation of won tenders."""
