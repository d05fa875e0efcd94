"""Outgoing email: a durable queue, delivery by SMTP or to instance/outbox, retries."""
