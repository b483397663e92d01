"""Daily live spending limits: what live direct sends may draw from the wallet per UTC day."""
