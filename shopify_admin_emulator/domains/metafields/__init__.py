"""Metafields, their definitions, and tags: `models` keeps metafields on their owners, `definitions`
serves and creates definitions (and finds an owner by a custom id), `mutations` sets metafields and tags."""
