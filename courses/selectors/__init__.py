"""Reads scoped to the acting user, one module per area."""
