"""Outbound webhooks: endpoints, Standard Webhooks signing, fan-out and leased delivery."""
