"""Collections: custom and smart collections (collection.py), and the products of custom ones (membership.py)."""
