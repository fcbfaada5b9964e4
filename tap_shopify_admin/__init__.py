"""tap-shopify-admin: a Singer tap for the Shopify Admin GraphQL API."""
