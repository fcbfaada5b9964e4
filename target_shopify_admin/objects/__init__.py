"""The Shopify objects the target writes, one module each (kinds that belong together share a package)."""
