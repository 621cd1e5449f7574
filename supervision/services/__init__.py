"""Writes, one module per area; each service checks permission itself."""
