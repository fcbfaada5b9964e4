"""Custom and smart collections: `models` keeps them and evaluates smart rules, `reads` serves them,
`mutations` writes them and their membership."""
