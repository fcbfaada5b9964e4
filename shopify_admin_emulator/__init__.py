"""A local emulator of the Shopify Admin GraphQL API, for tests, demos and benchmarks."""
