"""NaviLink protocol client: auth, REST, MQTT session, reconnect policy, models. No Home Assistant imports."""
