"""The way every record goes, whatever its object: sink, settings, lookup, plan, write, outcome."""
