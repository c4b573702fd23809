"""Seller accounts: sign-in throttling, password rules, password-reset requests."""
