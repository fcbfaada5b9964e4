"""The shop itself, node(s), events and the app installation: `reads`."""
