"""The dev stack's HTTP settings come from config/configuration.yaml at every start.

Home Assistant (2026.8 and later at least) moves the `http:` YAML into `.storage/http` once, as
an unconfirmed trial: the frontend asks the owner to confirm it (a dialog over every page), and
without a confirmation Home Assistant goes back to its defaults (port 8123 on every interface)
after 5 minutes and restarts. Later starts ignore the YAML. scripts/develop therefore drops the
stored copy before each start (the YAML re-creates it, with this start's --port) and confirms the
trial once Home Assistant is up.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any


def forget_stored_http_config(config_dir: Path) -> None:
    """Remove `.storage/http`: this start migrates the `http:` YAML again."""
    (config_dir / ".storage" / "http").unlink(missing_ok=True)


def confirm_http_config(base: str, token: str) -> str:
    """Confirm a pending HTTP config trial; returns what was done (for the log)."""
    return asyncio.run(_confirm(base.replace("http://", "ws://", 1) + "/api/websocket", token))


async def _confirm(url: str, token: str) -> str:
    import aiohttp  # Home Assistant's own dependency: present in every venv that runs it

    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            return "not confirmed: websocket authentication failed"
        config = await _call(ws, 1, "http/config")
        if not config.get("success"):
            return "nothing to confirm (this release has no http/config command)"
        pending = (config.get("result") or {}).get("pending")
        if not pending:
            return "nothing to confirm"
        if pending.get("error"):
            return f"not confirmed: the pending config failed ({pending.get('error')})"
        promoted = await _call(ws, 2, "http/config/promote")
        if not promoted.get("success"):
            return f"not confirmed: {json.dumps(promoted.get('error'))}"
        return "confirmed"


def update_core_config(base: str, token: str, values: dict[str, Any]) -> str:
    """Set core settings (location, units, ...) as the UI does: stored, changeable later."""
    return asyncio.run(
        _update_core(base.replace("http://", "ws://", 1) + "/api/websocket", token, values)
    )


async def _update_core(url: str, token: str, values: dict[str, Any]) -> str:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            return "not set: websocket authentication failed"
        result = await _call(ws, 1, "config/core/update", values)
        if not result.get("success"):
            return f"not set: {json.dumps(result.get('error'))}"
        return "set"


async def _call(
    ws: Any, msg_id: int, command: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    await ws.send_json({"id": msg_id, "type": command, **(data or {})})
    while True:
        message: dict[str, Any] = await ws.receive_json()
        if message.get("id") == msg_id:
            return message
