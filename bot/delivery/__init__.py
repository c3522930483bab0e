"""Durable outbound delivery: every proactive message goes through the outbox table."""
