"""Gift cards: `models` keeps them (the code itself only privately: Shopify never serves it after
creation), `reads` serves and searches them, `mutations` creates, updates, credits, debits and
deactivates them."""
