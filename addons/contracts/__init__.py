"""Contracts: numbered contracts with customers and suppliers, their planned payments, invoices and payments."""
