"""Pull-request providers."""
