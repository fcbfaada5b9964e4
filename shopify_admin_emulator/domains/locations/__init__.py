"""Locations: where inventory is stocked and orders are fulfilled from. `models` builds the stored records,
`reads` serves them."""
