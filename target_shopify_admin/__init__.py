"""target-shopify-admin: reverse ETL of Singer records into Shopify through the Admin GraphQL API."""
