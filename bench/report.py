"""The printed table and docs/performance.md."""

# ruff: noqa: RUF001  (typographic dashes, minus and times signs in the report are intended)

from __future__ import annotations

from typing import Any

Rows = list[list[str]]


def _ms(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms"


def _s(v: float | None, sign: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v:+.2f} s" if sign else f"{v:.2f} s"


def _mib(v: float) -> str:
    return f"{v:.1f} MiB"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"×{b / a:.1f}"


def _text_table(header: list[str], rows: Rows) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _md_table(header: list[str], rows: Rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _sections(r: dict[str, Any]) -> list[tuple[str, str, list[str], Rows, list[str]]]:
    """(key, title, header, rows, notes) for every measured part."""
    out: list[tuple[str, str, list[str], Rows, list[str]]] = []
    if push := r.get("push"):
        lat = push["latency_ms"]
        ws = push["ws_delivery_ms"]
        out.append(
            (
                "push",
                f"Push latency: heater publishes a status → entity state written in hass "
                f"({push['messages']} statuses at {push['rate_per_s']:.0f}/s, 1 heater, "
                f"{push['entities']} entities)",
                ["p50", "p95", "p99", "max", "mean"],
                [
                    [
                        _ms(lat["p50"]),
                        _ms(lat["p95"]),
                        _ms(lat["p99"]),
                        _ms(lat["max"]),
                        _ms(lat["mean"]),
                    ]
                ],
                [
                    f"then hass → websocket subscriber: p50 {_ms(ws['p50'])}, p99 {_ms(ws['p99'])} "
                    "(not included above)"
                ],
            )
        )
    if cmd := r.get("commands"):
        st, sv = cmd["state_ms"], cmd["service_ms"]
        out.append(
            (
                "commands",
                f"Command round trip: water_heater.set_temperature → device echo → state "
                f"written ({st['n']} calls, alternating 50 / 52.5 °C)",
                ["", "p50", "p95", "p99", "max"],
                [
                    [
                        "state written",
                        _ms(st["p50"]),
                        _ms(st["p95"]),
                        _ms(st["p99"]),
                        _ms(st["max"]),
                    ],
                    [
                        "service call returned",
                        _ms(sv["p50"]),
                        _ms(sv["p95"]),
                        _ms(sv["p99"]),
                        _ms(sv["max"]),
                    ],
                ],
                [],
            )
        )
    if outages := r.get("outage"):
        outage_rows: Rows = []
        for item in outages:
            for side in ("probe_on", "probe_off"):
                d = item[side]
                rec_s, att = d["recovery_s"], d["attempts_during_outage"]
                outage_rows.append(
                    [
                        item["name"],
                        "on" if side == "probe_on" else "off",
                        f"{d['sessions'] - d['not_recovered']}/{d['sessions']}",
                        _s(rec_s.get("p50")),
                        _s(rec_s.get("p95")),
                        _s(rec_s.get("max")),
                        f"{att.get('mean', 0):.1f}",
                        str(d["woken_by_probe"]) if side == "probe_on" else "–",
                        str(d["probes"]),
                    ]
                )
        out.append(
            (
                "outage",
                "Recovery after a network outage, path probe on vs off: seconds from the "
                "network's return to a fresh status (library sessions, one outage shared by "
                "all, the same run)",
                [
                    "outage",
                    "probe",
                    "recovered",
                    "p50",
                    "p95",
                    "max",
                    "MQTT attempts during the outage (mean)",
                    "woken by the probe",
                    "TCP probes",
                ],
                outage_rows,
                [
                    "Scaled outages (÷N in the name) divide the reconnect policy and the outage "
                    "by N; without the probe the measured wait is multiplied back by N, with "
                    "the probe (at its real 2 s interval) it is reported as measured.",
                ],
            )
        )
    if rec := r.get("recovery"):
        rows: Rows = []
        for item in rec:
            if "error" in item:
                rows.append([item["name"], "–", "–", "–", "–", "–", "–", item["error"]])
                continue
            rows.append(
                [
                    item["name"],
                    _s(item["scheduled_retry_s"], sign=True),
                    _s(item["connected_s"], sign=True),
                    _s(item["recovery_s"], sign=True),
                    _s(item["beyond_schedule_s"]),
                    str(item["attempts"]),
                    str(item["tier"] or "–"),
                    str(item["reason"]),
                ]
            )
        out.append(
            (
                "recovery",
                "Recovery: times after the fault ended (the scheduled retry is the "
                "`next_retry_at` of the attempt that succeeded)",
                [
                    "fault",
                    "scheduled retry",
                    "connected + subscribed",
                    "fresh status in hass",
                    "beyond the schedule",
                    "attempt",
                    "tier",
                    "how",
                ],
                rows,
                [
                    "'beyond the schedule' = fresh status − max(fault end, scheduled retry): "
                    "the ideal is one round trip.",
                    *_backoff_notes(r),
                ],
            )
        )
    if one := r.get("setup_one"):
        notes: list[str] = []
        push = r.get("push")
        rows = [
            [
                "RSS added by the first entry (imports the integration, awscrt)",
                f"{_mib((one['rss_after'] - one['rss_before']) / 2**20)} "
                f"({one['entities']} entities)",
            ],
            ["setup time of that entry (config flow → loaded, 1 heater)", _s(one["loaded_s"])],
        ]
        if push:
            rows.insert(
                0,
                [
                    "CPU per status message, end to end (hass process, idle subtracted, 1 heater)",
                    f"{push['cpu_ms_per_msg']:.2f} ms",
                ],
            )
            if (watched := push.get("cpu_ms_per_msg_watched")) is not None:
                rows.insert(
                    1,
                    [
                        "the same with the bench's websocket trigger subscription (the latency "
                        "burst: hass also runs a trigger and sends an event per status)",
                        f"{watched:.2f} ms",
                    ],
                )
            idle = push["idle_cpu_per_s"] * 60
            idle_text = f"{idle:.2f} CPU-s/min" if idle else "none measured (idle window)"
            rows.insert(2, ["hass idle CPU with 1 entry", idle_text])
        out.append(("cost", "Cost", ["", "value"], rows, notes))
    if scale := r.get("scale"):
        rows = []
        for row in scale:
            lat = row["latency_ms"]
            rows.append(
                [
                    str(row["heaters"]),
                    str(row["entities"]),
                    _s(row["setup_s"]),
                    _mib(row["rss_added_mib"]),
                    f"{row['cpu_ms_per_msg']:.2f} ms",
                    f"{row['cpu_s_per_min_at_30s']:.3g} s ({row['cpu_s_per_min_at_30s'] / 60:.2%})",
                    _ms(lat["p50"]),
                    _ms(lat["p99"]),
                    f"{row['messages']} @ ×{row['compression']:g}",
                ]
            )
        base = scale[0]
        ratios = []
        for row in scale[1:]:
            ratios.append(
                f"{row['heaters']} vs {base['heaters']} heaters: entities "
                f"{_ratio(base['entities'], row['entities'])}, CPU per message "
                f"{_ratio(base['cpu_ms_per_msg'], row['cpu_ms_per_msg'])}, CPU per minute "
                f"{_ratio(base['cpu_s_per_min_at_30s'], row['cpu_s_per_min_at_30s'])}, "
                f"push p99 {_ratio(base['latency_ms']['p99'], row['latency_ms']['p99'])}"
            )
        out.append(
            (
                "scale",
                "Scale: one account, one MQTT connection, a status every 30 s per heater",
                [
                    "heaters",
                    "entities",
                    "setup",
                    "RSS added",
                    "CPU / msg",
                    "CPU / min (of 1 core)",
                    "push p50",
                    "push p99",
                    "msgs @ time compression",
                ],
                rows,
                ratios,
            )
        )
    return out


def _machine_line(r: dict[str, Any]) -> str:
    m = r["machine"]
    load = r.get("load", {})
    other = load.get("other_cores_used")
    other_s = f"{other:.2f}" if other is not None else "?"
    return (
        f"{m['date']}: {m['cpu_model']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Python "
        f"{m['python']}, Home Assistant {m['home_assistant']}, awscrt {m['awscrt']}, "
        f"{m['mosquitto']}; {r['profile']} run, {r['wall_s'] / 60:.1f} min; load average "
        f"(1 min) {load.get('load1_min', 0):.2f}–{load.get('load1_max', 0):.2f}; other "
        f"processes used {other_s} of {m['cores']} cores during the run"
    )


def table(r: dict[str, Any]) -> str:
    parts = ["", "NaviLink benchmark — " + _machine_line(r), ""]
    for _, title, header, rows, notes in _sections(r):
        parts += [title, _text_table(header, rows)]
        parts += [f"  {n}" for n in notes]
        parts.append("")
    return "\n".join(parts)


METHOD = """\
## Method

`scripts/bench` starts `python -m navilink_sim` (real Mosquitto 2, TLS SigV4 websocket gateway,
simulated heaters on aiomqtt) and a real `hass -c <tmp> --skip-pip` process (http, api, config,
onboarding, person, websocket_api; no recorder, no frontend), onboards a user over the REST API,
adds the account through the real config flow (`/api/config/config_entries/flow`) and measures
over the websocket API. The integration runs unmodified; nothing is patched or mocked.

- **Push latency.** The simulator's `POST /_sim/devices/{mac}/stamp` makes the heater put each
  status payload's send time (µs, wall clock) into `airFilterAlarmElapsed`; the integration shows
  it as the *air filter elapsed* sensor, so every status changes that sensor's state. The bench
  subscribes (`subscribe_trigger`, state trigger on those sensors and the water heaters) and takes
  `to_state.last_updated` — the instant hass wrote the state — minus the stamp. Both clocks are the
  same host clock. `POST /_sim/devices/{mac}/push {"count", "interval_s"}` makes the heater publish
  unsolicited statuses on its ack topic. The path measured: aiomqtt publish → Mosquitto → TLS
  websocket gateway → awscrt (its own thread) → asyncio loop → JSON parse → `DeviceStatus` →
  coordinator → every entity's `async_write_ha_state`.
- **Command round trip.** `call_service water_heater.set_temperature` over the websocket; the time
  until the water heater's state with the new target temperature is written (`last_updated`),
  which the integration does only after the heater's status echo confirms the setpoint.
- **Recovery.** Each fault starts from a freshly reloaded entry (so the backoff starts at
  attempt 1, as after a long stable period). The `navilink_connection` bus events give
  `attempt`, `tier`, `next_retry_at` and the `connected` instant (sent after every subscription
  is restored); "fresh status" is the first state written from a status the heater sent after the
  fault ended. Faults: gateway refuses/drops everything (`network down`), Mosquitto restarted,
  AWS credentials expired (connections dropped and refused until refreshed), gateway relays
  nothing and holds new connections (`blackhole`). The "5 min" outage uses the options flow to
  divide every reconnect-policy time by the stated factor (initial delay, cap) and the outage by
  the same factor, so the backoff reaches its cap as in a real 5 minute outage.
- **Cost.** hass process CPU (all threads: the scheduler's run time in ns from
  `/proc/<pid>/task/*/schedstat`; psutil's 10 ms ticks where that is missing) over a second push
  burst like the latency one, minus its idle rate measured just before, divided by the statuses
  pushed. The bench's trigger subscription is removed for that burst (it makes hass run a
  trigger and send a websocket event per status); the end of the burst is read from the
  stamped sensor over REST. RSS of the hass process before the entry is added and 3 s after it
  is ready.
- **Scale.** A fresh account with N heaters (one entry, one MQTT connection, N device
  subscriptions). Setup = config flow submitted → entry `loaded` (the flow returns after setup).
  Load: every heater publishes on a 30 s period, phases spread evenly; the smaller sizes are time
  compressed so that every size sees the same message rate (that of 100 heaters at 30 s), which
  keeps the CPU windows comparable; their heaters' physics runs faster by the same factor, so
  every status carries 30 s of simulated change (and as many changed entities) at every size.
  "CPU / msg" is the hass CPU of the load window (from the first push to a second after the
  last), minus the idle rate (the lower of an idle window before and one after the load),
  divided by the statuses pushed. The integration's own status polls (every 60 s per heater by
  default) run in the idle windows as in the load, so they are part of the idle rate, not of
  the figure. "CPU / min" = 2·N·(CPU / msg) + that idle rate,
  i.e. hass CPU per minute at the real 30 s period, polls included. The bench's trigger
  subscription stays on during the load (for the push latency).
- **Machine load.** Other processes (concurrent work on this shared 2-core machine) are
  accounted as machine busy time (`/proc/stat`) minus the CPU of hass, the simulator with
  Mosquitto, and the bench itself.
"""


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    load = r.get("load", {})
    parts = [
        "# Performance",
        "",
        "Measured by `scripts/bench` (see *Method* below); regenerate with `scripts/bench` "
        "(under 10 minutes) or `scripts/bench --quick`. Figures are percentiles and ratios "
        "from one run, not pass/fail limits.",
        "",
        "## Machine",
        "",
        _md_table(
            ["", ""],
            [
                ["date", m["date"]],
                ["CPU", f"{m['cpu_model']}, {m['cores']} cores ({m['cores_usable']} usable)"],
                ["RAM", f"{m['ram_gib']} GiB"],
                ["kernel", m["kernel"]],
                ["Python", m["python"]],
                ["Home Assistant", m["home_assistant"]],
                ["awscrt", m["awscrt"]],
                ["broker", m["mosquitto"]],
                [
                    "run",
                    f"{r['profile']}, {r['wall_s'] / 60:.1f} min (hass started in "
                    f"{r.get('hass_start_s', 0):.1f} s)",
                ],
                [
                    "load average (1 min) during the run",
                    f"min {load.get('load1_min', 0):.2f}, mean {load.get('load1_mean', 0):.2f}, "
                    f"max {load.get('load1_max', 0):.2f} "
                    f"(start {load.get('loadavg_start', [0])[0]:.2f}, "
                    f"end {load.get('loadavg_end', [0])[0]:.2f})",
                ],
                [
                    "CPU used by other processes",
                    f"{load.get('other_cores_used', 0):.2f} of {m['cores']} cores on average "
                    f"(the bench's own processes: {load.get('bench_processes_cores_used', 0):.2f})",
                ],
            ],
        ),
        "",
        "## Results",
        "",
    ]
    for _, title, header, rows, notes in _sections(r):
        parts += [f"### {title}", "", _md_table(header, rows), ""]
        parts += [f"- {n}" for n in notes]
        if notes:
            parts.append("")
    if rec := r.get("recovery"):
        parts += ["### Recovery timelines (seconds after the fault ended)", ""]
        for item in rec:
            if "timeline" in item:
                parts.append(f"- **{item['name']}**: {_timeline(item['timeline'])}")
        parts.append("")
    if obs := observations(r):
        parts += ["## Observations", ""]
        parts += [f"- {o}" for o in obs]
        parts.append("")
    parts += ["### Seen in other runs (not in the figures above)", ""]
    parts += [f"- {o}" for o in SEEN_ELSEWHERE]
    parts.append("")
    parts += [METHOD]
    return "\n".join(parts)


def _backoff_notes(r: dict[str, Any]) -> list[str]:
    notes = []
    for case in r.get("backoff_model") or []:
        w, a = case["wait_s"], case["attempt"]
        notes.append(
            f"Scheduled wait after a {case['name']} (Monte-Carlo of `ReconnectPolicy`'s jitter, "
            f"{w['n']} draws): p50 {w['p50']:.1f} s, p95 {w['p95']:.1f} s, max {w['max']:.1f} s "
            f"(succeeding attempt p50 #{a['p50']:.0f}); each measured row is one such draw."
        )
    return notes


SEEN_ELSEWHERE = [
    "Before the fixes of 2026-11-25 (same day): a reconnect could wait ~5 s for awscrt to "
    "confirm closing the interrupted connection (it never does; the session no longer waits), "
    "hass logged blocking calls while awsiotsdk built the connection on the event loop (now "
    "built in an executor), every status rewrote every entity of the account (100 heaters: "
    "37 ms CPU per status, push p99 3.1 s; now 11 ms and 62 ms), and a broker restart reached "
    "the client only after the gateway's 10 s websocket close timeout (now 1 s).",
]


def _timeline(events: list[dict[str, Any]]) -> str:
    out = []
    for e in events:
        text = f"{e['type']} {e['at_s']:+.2f}"
        if e["type"] in ("reconnecting", "deep_reconnect"):
            text = f"{e['type']} #{e['attempt']} {e['at_s']:+.2f} (retry at {e['retry_s']:+.2f})"
        elif e["type"] == "disconnected":
            text += f" ({e['reason']})"
        out.append(text)
    return " → ".join(out) if out else "no connection events"


def observations(r: dict[str, Any]) -> list[str]:
    """What the figures show, with the numbers of this run."""
    obs: list[str] = []
    scale = r.get("scale") or []
    if len(scale) >= 2:
        first, last = scale[0], scale[-1]
        obs.append(
            f"**Cost per status grows slowly with the number of heaters on the account**: "
            f"{first['cpu_ms_per_msg']:.2f} ms with {first['heaters']} heater(s) "
            f"({first['entities']} entities) vs {last['cpu_ms_per_msg']:.2f} ms with "
            f"{last['heaters']} ({last['entities']} entities). A status reaches only the "
            "sending heater's entities, with the names of the status fields it changed; an "
            "entity that read none of them while computing its state returns at once, and only "
            "entities whose value changed write a state. Per minute, at a status every 30 s per "
            f"heater: {last['cpu_s_per_min_at_30s']:.2f} CPU-s at {last['heaters']} heaters "
            f"({last['cpu_s_per_min_at_30s'] / 60:.1%} of a core). Status requests are spread "
            "over the interval, so the replies of a large account do not arrive in one burst."
        )
    cmd = r.get("commands")
    push = r.get("push")
    if cmd and push:
        obs.append(
            f"**Command round trip ≈ {cmd['state_ms']['p50']:.0f} ms while a push takes "
            f"{push['latency_ms']['p50']:.1f} ms**: the simulated path no longer pays "
            "Nagle/delayed-ACK stalls (until 2026-11-26 about 88 ms: a second small write "
            "waited up to 40 ms for the ACK of the first, in the heaters, in Mosquitto and, "
            "since awscrt has no TCP_NODELAY, in the client). The heaters and Mosquitto run "
            "with TCP_NODELAY and the gateway acknowledges client data at once (TCP_QUICKACK). "
            "The real cloud's acknowledgement timing and RTT will differ."
        )
    rec = {i["name"]: i for i in r.get("recovery") or [] if "timeline" in i}
    instant = [i for n, i in rec.items() if n in ("broker restart", "credentials expired")]
    for item in instant:
        tl = item["timeline"]
        lost = next((e["at_s"] for e in tl if e["type"] == "disconnected"), None)
        first = next((e for e in tl if e["type"] in ("reconnecting", "deep_reconnect")), None)
        nxt = [e for e in tl if e["type"] != "disconnected" and first and e is not first]
        if lost is None or first is None or not nxt:
            continue
        due, outcome = first["retry_s"] - lost, nxt[0]["at_s"] - lost
        if outcome - due < 2:
            continue
        obs.append(
            f"**{item['name']}: attempt 1 was due {due:.2f} s after the drop, but its outcome "
            f"({nxt[0]['type']}) came {outcome:.2f} s after it**, although a connect takes "
            "~0.1 s everywhere else in this run. The outcome lands about 5 s after the drop, "
            "when awscrt's own resume of the interrupted connection fires "
            "(`sdk_reconnect_min_secs` = 5 s), which suggests the attempt waits on the "
            "interrupted connection (`_connect()` first awaits `_teardown_transport()` → "
            "`MqttTransport.disconnect()`, whose timeout is 5 s). Intermittent: it did not "
            "reproduce with a bare `NaviLinkSession` against the simulator, nor in hass with the "
            "integration's debug logging on. Reported, not patched."
        )
    if "broker restart" in rec:
        tl = rec["broker restart"]["timeline"]
        lost = next((e["at_s"] for e in tl if e["type"] == "disconnected"), None)
        if lost is not None and lost > 2:
            obs.append(
                f"**broker restart: the client learnt of it {lost:.1f} s after Mosquitto was back**"
                ". The simulator's gateway then closes the websocket with aiohttp's close "
                "handshake "
                "(`WebSocketResponse` close timeout 10 s) after cancelling its own reader, so the "
                "TCP close reaches the client only after that timeout: a simulator artifact (a "
                "real broker drop closes at once), which this row includes."
            )
    bh = next((i for n, i in rec.items() if n.startswith("blackhole")), None)
    if bh is not None:
        lost = next((e["at_s"] for e in bh["timeline"] if e["type"] == "disconnected"), None)
        if lost is not None:
            obs.append(
                f"**blackhole**: detected {lost + bh['fault_s']:.1f} s after it began (MQTT "
                "keepalive 30 s + 3 s ping timeout; the 60 s status-poll watchdog is slower). The "
                "attempt started during the blackhole hangs in the gateway and completes as soon "
                f"as the path returns ({bh['recovery_s']:.2f} s to a fresh status)."
            )
    if len(scale) >= 2:
        last = scale[-1]
        polls = last["messages"] - last.get("pushed", last["messages"])
        lat = last["latency_ms"]
        if polls > 0 and lat["p99"] and lat["p99"] > 10 * lat["p50"]:
            obs.append(
                f"**Poll bursts at {last['heaters']} heaters**: {polls} of the "
                f"{last['messages']} statuses in the window were replies to the integration's own "
                "status poll, which `_poll_loop` sends to every heater at the same instant "
                "(`status_interval`, 60 s). The replies arrive together and each costs "
                f"~{last['cpu_ms_per_msg']:.0f} ms of event-loop time (all entities rewritten), so "
                f"the burst holds the loop for ~{polls * last['cpu_ms_per_msg'] / 1000:.1f} s: "
                f"push p50 {lat['p50']:.0f} ms but p99 {lat['p99']:.0f} ms, max "
                f"{lat['max']:.0f} ms. Spreading the probes over the interval, and updating only "
                "the sending heater's entities, would both remove it."
            )
    log = r.get("hass_log") or {}
    if blocking := log.get("blocking_calls"):
        calls = ", ".join(f"`{call}` ×{count}" for call, count in blocking.items())
        obs.append(
            f"hass logged blocking calls inside the event loop: {calls}. "
            "Building the awscrt TLS context (it reads the CA file) belongs in the executor; "
            "Home Assistant reports each offending call once per run."
        )
    for msg, count in (log.get("errors") or {}).items():
        obs.append(f"hass logged an error ({count}×): `{msg}`")
    load = r.get("load", {})
    if (other := load.get("other_cores_used")) is not None and other > 0.2:
        obs.append(
            f"Other processes (concurrent work on this shared machine) used {other:.2f} of "
            f"{r['machine']['cores']} cores on average during the run (load average up to "
            f"{load.get('load1_max', 0):.1f}); tail latencies (p99, max) are the figures most "
            "affected."
        )
    return obs
