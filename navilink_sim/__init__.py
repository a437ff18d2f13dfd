"""Offline simulator of the Navien NaviLink cloud (REST, signed MQTT websocket, NWP500 heaters)."""

from navilink_sim.simulator import Simulator, SimulatorConfig

__all__ = ["Simulator", "SimulatorConfig"]
