"""Audit log (issue 11, h7): who changed what and when, with before and after values."""
