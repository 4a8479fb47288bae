#!/bin/sh
# Health check of the example `broker` image: a real MQTT round trip against the local listener.
# It subscribes to a retained $SYS topic that mosquitto sends on subscription, and fails if no message
# arrives within 3 s. A script (not an inline command) so that no `$` needs escaping in compose files.
# shellcheck disable=SC2016 # the topic name really is $SYS/..., not a variable
exec mosquitto_sub -h 127.0.0.1 -p 1883 -i "healthcheck-$$" -t '$SYS/broker/version' -C 1 -W 3 >/dev/null
