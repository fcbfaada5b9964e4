"""Scripts run from a checkout: setup, demo, Hub plugin definitions."""
