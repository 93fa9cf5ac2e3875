#!/bin/sh
# leakguard-init: installs the pod's traffic redirection that the injector generated
# (LEAKGUARD_IPTABLES_RULES / LEAKGUARD_IP6TABLES_RULES, iptables-restore payloads that replace
# the nat table of the pod's own network namespace). Runs as the first init container, root with
# NET_ADMIN and NET_RAW only. The payloads are whole-table restores: running it twice is harmless.
#
#   LEAKGUARD_IPTABLES_BACKEND  auto (nft, then legacy if nft fails) | nft | legacy
#   LEAKGUARD_IPV6_PROC_FILE    file whose presence means IPv6 is enabled (default /proc/net/if_inet6)
set -eu

backend="${LEAKGUARD_IPTABLES_BACKEND:-auto}"
ipv6_proc_file="${LEAKGUARD_IPV6_PROC_FILE:-/proc/net/if_inet6}"
rules_v4="${LEAKGUARD_IPTABLES_RULES:-}"
rules_v6="${LEAKGUARD_IP6TABLES_RULES:-}"

log() { printf 'leakguard-init: %s\n' "$*" >&2; }

case "$backend" in
  auto) variants="nft legacy" ;;
  nft | legacy) variants="$backend" ;;
  *) log "LEAKGUARD_IPTABLES_BACKEND must be auto, nft or legacy (got '$backend')"; exit 2 ;;
esac

# restore FAMILY PAYLOAD: the first backend variant that accepts the payload wins.
restore() {
  family="$1"
  payload="$2"
  for variant in $variants; do
    cmd="$family-$variant-restore"
    if ! command -v "$cmd" >/dev/null 2>&1; then
      log "$cmd not found"
      continue
    fi
    if printf '%s\n' "$payload" | "$cmd" --wait; then
      log "$family rules installed with $cmd"
      if command -v "$family-$variant-save" >/dev/null 2>&1; then
        "$family-$variant-save" -t nat || true
      fi
      return 0
    fi
    log "$cmd failed"
  done
  log "could not install the $family rules; the pod cannot start uninspected"
  return 1
}

if [ -z "$rules_v4" ] && [ -z "$rules_v6" ]; then
  log "no redirection rules given (LEAKGUARD_IPTABLES_RULES is empty)"
  exit 1
fi

if [ -n "$rules_v4" ]; then
  restore iptables "$rules_v4"
fi

if [ -n "$rules_v6" ]; then
  if [ -e "$ipv6_proc_file" ]; then
    restore ip6tables "$rules_v6"
  else
    log "IPv6 is disabled in this pod: skipping the ip6tables rules"
  fi
fi
