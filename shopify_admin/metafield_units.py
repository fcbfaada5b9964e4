"""Shopify's measurement metafield types and their units (shopify.dev's list of data types), which the
target compares values in and the emulator stores them by."""

from __future__ import annotations

# Types whose value is a number with a unit (shopify.dev's measurement types).
MEASUREMENTS = frozenset(
    [
        "antenna_gain",
        "area",
        "battery_charge_capacity",
        "battery_energy_capacity",
        "capacitance",
        "concentration",
        "data_storage_capacity",
        "data_transfer_rate",
        "dimension",
        "display_density",
        "distance",
        "duration",
        "electric_current",
        "electrical_resistance",
        "energy",
        "frequency",
        "illuminance",
        "inductance",
        "luminous_flux",
        "mass_flow_rate",
        "power",
        "pressure",
        "resolution",
        "rotational_speed",
        "sound_level",
        "speed",
        "temperature",
        "thermal_power",
        "voltage",
        "volume",
        "volumetric_flow_rate",
        "weight",
    ]
)
# The short units shopify.dev documents for these three types: a list's jsonValue answers them (captured for
# cm, ml and kg; the others are the documented pairs), and a value given in them is stored by the long name.
SHORT_UNITS = {
    "dimension": {"MILLIMETERS": "mm", "CENTIMETERS": "cm", "METERS": "m", "INCHES": "in", "FEET": "ft", "YARDS": "yd"},
    "volume": {
        "MILLILITERS": "ml",
        "CENTILITERS": "cl",
        "LITERS": "l",
        "CUBIC_METERS": "m3",
        "US_FLUID_OUNCES": "us_fl_oz",
        "US_PINTS": "us_pt",
        "US_QUARTS": "us_qt",
        "US_GALLONS": "us_gal",
        "IMPERIAL_FLUID_OUNCES": "imp_fl_oz",
        "IMPERIAL_PINTS": "imp_pt",
        "IMPERIAL_QUARTS": "imp_qt",
        "IMPERIAL_GALLONS": "imp_gal",
    },
    "weight": {"KILOGRAMS": "kg", "GRAMS": "g", "POUNDS": "lb", "OUNCES": "oz"},
}


def unit_name(type_: str, unit: str) -> str | None:
    """A measurement's unit by its upper-case name; None for a unit its type does not have (only the
    dimension, volume and weight units are known here, the others are taken as given)."""
    units = SHORT_UNITS.get(type_)
    if units is None:
        return unit.upper()
    long_names = {short: long for long, short in units.items()}
    return long_names.get(unit.lower()) or (unit.upper() if unit.upper() in units else None)
