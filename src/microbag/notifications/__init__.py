"""Notifications (issue 11, h6): e-mail queued in the same transaction as the change
(outbox), per-user preferences, delivered over SMTP by ``microbag worker``.
"""
