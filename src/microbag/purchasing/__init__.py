"""Purchasing: purchase orders to suppliers, their events and PDF, receipts and lots."""
