"""One vocabulary for the heater's modes: Home Assistant's water heater operation states.

The water heater entity, the reservation actions and their responses all use these names.
"""

from __future__ import annotations

from typing import Final

from homeassistant.components.water_heater import (
    STATE_ECO,
    STATE_ELECTRIC,
    STATE_HEAT_PUMP,
    STATE_HIGH_DEMAND,
)
from homeassistant.const import STATE_OFF

from aionavilink import DhwMode

# The modes the water heater entity can select (`off` powers the heater off).
MODE_TO_STATE: Final[dict[DhwMode, str]] = {
    DhwMode.HEAT_PUMP: STATE_HEAT_PUMP,
    DhwMode.ENERGY_SAVER: STATE_ECO,
    DhwMode.HIGH_DEMAND: STATE_HIGH_DEMAND,
    DhwMode.ELECTRIC: STATE_ELECTRIC,
}
STATE_TO_MODE: Final[dict[str, DhwMode]] = {state: mode for mode, state in MODE_TO_STATE.items()}

# A reservation may also switch to vacation or power the heater off.
STATE_VACATION: Final = "vacation"
RESERVATION_MODES: Final[dict[str, DhwMode]] = {
    **STATE_TO_MODE,
    STATE_VACATION: DhwMode.VACATION,
    STATE_OFF: DhwMode.POWER_OFF,
}
RESERVATION_MODE_NAMES: Final[dict[DhwMode, str]] = {
    mode: name for name, mode in RESERVATION_MODES.items()
}
