#!/usr/bin/env bash
# Issue 5's network targets, side by side in one run.
# - The address hooks of a shared-stack jail sit on the connection path. Connections per
#   second (connect/close), UDP sends per second (unconnected: the hooks run on each send;
#   connected: only at connect) and iperf3 throughput, from a client in the jail against
#   the same client on the host, to the same server on the host (target: within 2 %). A
#   jail with ip4=inherit (no hooks, the rest of the jail the same) separates the hooks'
#   share from the jail's own (seccomp, cgroup). Each rate twice: per second, and per
#   second of the client's CPU time.
#   Three destinations, because the hooks take three paths: another host address (the
#   common case: pick the source), the jail's own address (the sendmsg hook also forgets a
#   remembered loopback destination) and localhost (rewritten to the jail's address and
#   remembered, so that replies read as coming from 127.0.0.1).
#   Then the hooks' own run time per call, from the kernel's BPF statistics: exact where
#   the rates are blurred by whatever else the machine runs.
# - A vnet jail over veth and a bridge, against a second vnet jail: the price of a stack of
#   one's own, against the shared-stack jail to another host address.
# - What an IP address adds to creating a jail (target: under 1 ms).
# Many short rounds; the clients compared run one after the other, in an order each round
# rotates. Figures are medians, ratios the medians of each round's ratios: on a shared
# machine the load drifts, and only figures taken seconds apart compare.
#   bench/network.sh     (ROUNDS=30 DURATION=0.5 IPERF_TIME=2 RUNS=300 METRICS="conn udp udpc iperf")
source "$(dirname "$0")/common.sh"
ROUNDS=${ROUNDS:-30}; DURATION=${DURATION:-0.5}; IPERF_TIME=${IPERF_TIME:-2}; RUNS=${RUNS:-300}
METRICS=${METRICS:-conn udp udpc iperf}
need_packages hyperfine iperf3 gcc libc6-dev busybox-static python3 iproute2
# A tree of its own: the other benches' tree stays busybox only.
ROOTFS=$SCRATCH/rootfs-net
build_tree
build_jail
BIN=$SCRATCH/bin
mkdir -p "$BIN"; ln -sf "$JAIL" "$BIN/jexec"

# The load generator is static like the rest of the tree; iperf3 is Debian's, with the
# libraries ldd names (the loader among them).
NETLOAD=$SCRATCH/netload
gcc -O2 -static -Wall -o "$NETLOAD" "$HERE/netload.c"
cp "$NETLOAD" "$ROOTFS/bin/netload"
cp -L --parents /usr/bin/iperf3 $(ldd /usr/bin/iperf3 | grep -o '/[^ ]*') "$ROOTFS/"

# Addresses: TEST-NET-3 on a bridge of our own for the host's server and the jail (which
# adds its address to the bridge itself, and removes it); the vnet pair on TEST-NET-2
# (a host may hold TEST-NET-1 on a real interface, and would answer ARP for it on the
# bridge). The servers on the host: one on another host address, one on the jail's own
# address, one on 127.0.0.1; each netload server takes TCP and UDP on its port.
BRIDGE=nbbr$$ HOST_ADDR=203.0.113.1 JAIL_ADDR=203.0.113.50 VNET_NET=198.51.100
PORT=47301 IPERF_PORT=47302
SHARED=nb-$$ INHERIT=nbi-$$ VSERVER=nbvs-$$ VCLIENT=nbvc-$$

jails=() pids=() bridge=
cleanup() {
    set +e
    local j
    for j in "${jails[@]}"; do "$JAIL" -q -r "$j" >/dev/null 2>&1; done
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    [ -n "$bridge" ] && ip link del "$bridge" 2>/dev/null
    wait 2>/dev/null
    jails=() pids=() bridge=
    return 0
}
trap cleanup EXIT

make_jail() {
    jails+=("$1")
    "$JAIL" -q -c "name=$1" "path=$ROOTFS" persist "${@:2}"
}
init_of() { sed -n 's/^init=\([0-9]*\) .*/\1/p' "/run/jail/$(readlink "/run/jail/@$1")"; }
# Waits until something listens on $2:$3 (TCP) in the network namespace of process $1.
wait_listening() {
    local i
    for i in $(seq 50); do
        [ -n "$(nsenter -t "$1" -n ss -Hltn "src $2:$3")" ] && return 0
        sleep 0.1
    done
    log "nothing listens on $2:$3"
    exit 1
}

log "bridge, jails, servers"
ip link add "$BRIDGE" type bridge
bridge=$BRIDGE
ip link set "$BRIDGE" up
ip addr add $HOST_ADDR/32 dev "$BRIDGE"
make_jail "$SHARED" "ip4.addr=$BRIDGE|$JAIL_ADDR/32"
make_jail "$INHERIT" ip4=inherit
make_jail "$VSERVER" vnet "vnet.bridge=$BRIDGE|$VNET_NET.2/24"
make_jail "$VCLIENT" vnet "vnet.bridge=$BRIDGE|$VNET_NET.3/24"

for a in $HOST_ADDR $JAIL_ADDR 127.0.0.1; do
    "$NETLOAD" serve $a $PORT >/dev/null &
    pids+=($!)
done
iperf3 -s -B $HOST_ADDR -p $IPERF_PORT >/dev/null &
pids+=($!)
# These two end with their jail.
"$BIN/jexec" "$VSERVER" /bin/netload serve $VNET_NET.2 $PORT >/dev/null &
pids+=($!)
"$BIN/jexec" "$VSERVER" /usr/bin/iperf3 -s -B $VNET_NET.2 -p $IPERF_PORT >/dev/null &
pids+=($!)
for a in $HOST_ADDR $JAIL_ADDR 127.0.0.1; do wait_listening $$ $a $PORT; done
wait_listening $$ $HOST_ADDR $IPERF_PORT
wait_listening "$(init_of "$VSERVER")" $VNET_NET.2 $PORT
wait_listening "$(init_of "$VSERVER")" $VNET_NET.2 $IPERF_PORT

# A client is where it runs (host, shared, inherit, vnet) and where it connects to:
# other (another host address), own (the jail's address), local (127.0.0.1), vnet.
destination() {
    case $1 in
        other) echo $HOST_ADDR ;;
        own) echo $JAIL_ADDR ;;
        local) echo 127.0.0.1 ;;
        vnet) echo $VNET_NET.2 ;;
    esac
}
run_in() {
    case $1 in
        host) "${@:2}" ;;
        shared) "$BIN/jexec" "$SHARED" "${@:2}" ;;
        inherit) "$BIN/jexec" "$INHERIT" "${@:2}" ;;
        vnet) "$BIN/jexec" "$VCLIENT" "${@:2}" ;;
    esac
}
measure() {
    local where=${1%:*} to netload=/bin/netload
    to=$(destination "${1#*:}")
    [ "$where" = host ] && netload=$NETLOAD  # the same binary as the tree's
    case $2 in
        conn) run_in "$where" "$netload" connect "$to" $PORT "$DURATION" ;;
        udp | udpc) run_in "$where" "$netload" "$2" "$to" $PORT "$DURATION" ;;
        iperf)
            run_in "$where" /usr/bin/iperf3 -c "$to" -p $IPERF_PORT -t "$IPERF_TIME" -O 1 -J |
                python3 -c 'import json, sys; e = json.load(sys.stdin)["end"]; g = e["sum_received"]["bits_per_second"] / 1e9
print(g, g / (e["cpu_utilization_percent"]["host_total"] / 100))'
            ;;
    esac
}
# The clients compared run next to each other in time, in groups: those to another host
# address with the vnet pair, those to the jail's address, those to localhost.
groups_for() {
    local other="host:other shared:other inherit:other"
    case $1 in
        iperf) echo "$other vnet:vnet" ;;
        udpc) echo "$other" ;;
        *) printf '%s\n' "$other vnet:vnet" "host:own shared:own inherit:own" "host:local shared:local inherit:local" ;;
    esac
}

OUT=$SCRATCH/network.txt
: > "$OUT"
for r in $(seq "$ROUNDS"); do
    for what in $METRICS; do
        while read -r -a group; do
            # Round r starts with the r-th client: each goes first as often as the others.
            k=$(( (r - 1) % ${#group[@]} ))
            for c in "${group[@]:$k}" "${group[@]:0:$k}"; do
                # A client that fails ends the rounds, and the figures are those of the
                # rounds before: a jail of ours may have been removed (by `jail -r '*'`
                # elsewhere on the host, say).
                v=$(measure "$c" "$what" </dev/null) || { log "round $r: $what $c failed, rounds end"; break 4; }
                echo "$r $what $c $v" >> "$OUT"
            done
        done < <(groups_for "$what")
    done
    log "round $r of $ROUNDS done"
done

# The hooks' own cost, which the load of a shared machine cannot blur: the kernel's run
# time statistics of the jail's programs (BPF_ENABLE_STATS, on only while the helper holds
# its descriptor), per program run, while the jail's client runs.
log "hook run times"
cat > "$SCRATCH/hookstats.py" <<'PY'
import ctypes, json, os, struct, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 144)
    fd = libc.syscall(321, cmd, buf, 144)  # bpf(2) on x86-64
    if fd < 0:
        raise OSError(ctypes.get_errno(), f"bpf command {cmd}")
    return fd, buf.raw
HOOKS = {8: "bind4", 9: "bind6", 10: "connect4", 11: "connect6", 14: "sendmsg4", 15: "sendmsg6",
         19: "recvmsg4", 20: "recvmsg6"}  # attach types, linux/bpf.h
def attached(cgroup, kind):  # BPF_PROG_QUERY
    ids = (ctypes.c_uint32 * 4)()
    _, raw = bpf(16, struct.pack("IIIIQI", cgroup, kind, 0, 0, ctypes.addressof(ids), 4))
    return list(ids[:struct.unpack_from("I", raw, 24)[0]])
def stats(prog_id):  # BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD: run_time_ns, run_cnt
    fd, _ = bpf(13, struct.pack("I", prog_id))
    info = ctypes.create_string_buffer(256)
    bpf(15, struct.pack("IIQ", fd, 256, ctypes.addressof(info)))
    os.close(fd)
    return struct.unpack_from("QQ", info.raw, 192)
enabled, _ = bpf(32, struct.pack("I", 0))  # BPF_ENABLE_STATS, BPF_STATS_RUN_TIME
cgroup = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
progs = {name: ids[0] for kind, name in HOOKS.items() if (ids := attached(cgroup, kind))}
before = {n: stats(i) for n, i in progs.items()}
out = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True).stdout
after = {n: stats(i) for n, i in progs.items()}
runs = {n: [after[n][0] - before[n][0], after[n][1] - before[n][1]] for n in progs}
print(json.dumps({"out": out.split()[:2], "runs": {n: v for n, v in runs.items() if v[1]}}))
PY
HOOKS=$SCRATCH/network-hooks.txt
: > "$HOOKS"
cgroup=$(sed -n 's/^cgroup=//p' "/run/jail/$(readlink "/run/jail/@$SHARED")") || true
hookstats() { python3 "$SCRATCH/hookstats.py" "$cgroup" "$BIN/jexec" "$SHARED" "$@"; }
for dest in other own local; do
    for what in connect udp; do
        for i in 1 2 3; do
            d=$(hookstats /bin/netload $what "$(destination $dest)" $PORT "$DURATION") || break 3
            echo "$what $dest $d" >> "$HOOKS"
        done
    done
done
d=$(hookstats /usr/bin/iperf3 -c $HOST_ADDR -p $IPERF_PORT -t "$IPERF_TIME") && echo "iperf other $d" >> "$HOOKS"
cleanup
trap cleanup EXIT

# Creation, in rounds too (hyperfine runs one command's runs back to back): no IP, IPv4
# (4 programs: bind, connect, sendmsg, recvmsg), IPv4 and IPv6 (8), and vnet for scale.
# 2001:db8::/32 is documentation space; nothing binds it here. Twice: with no other jail
# of ours running, and with a jail with addresses up. The kernel enables a static key for
# each socket-address hook (patching its code) when the first program of that kind is
# attached and disables it after the last goes: the first IP jail on a host pays that.
CREATE=$SCRATCH/network-create
rm -rf "$CREATE"
mkdir -p "$CREATE"
create_rounds() {
    local file=$1 suffix=$2 r k
    local create=(
        -n "none$suffix" "$JAIL -c path=$ROOTFS command=/bin/true"
        -n "ip4$suffix" "$JAIL -c path=$ROOTFS ip4.addr=127.0.1.60 command=/bin/true"
        -n "ip4+ip6$suffix" "$JAIL -c path=$ROOTFS ip4.addr=127.0.1.60 ip6.addr=2001:db8::60 command=/bin/true"
        -n "vnet$suffix" "$JAIL -c path=$ROOTFS vnet command=/bin/true"
    )
    for r in $(seq "$ROUNDS"); do
        k=$(( (r - 1) % 4 * 3 ))
        hyperfine -N --style none --warmup 2 --runs $(( (RUNS + ROUNDS - 1) / ROUNDS )) \
            --export-json "$CREATE/$file-$r.json" "${create[@]:$k}" "${create[@]:0:$k}"
    done
}
others=$(grep -l '^param=ip[46]\.addr' /run/jail/[0-9]* 2>/dev/null | wc -l)
log "creation ($others jails with addresses of others running)"
cd /tmp
create_rounds alone ""
make_jail "$SHARED" ip4.addr=127.0.1.61 ip6.addr=2001:db8::61
create_rounds up " (an IP jail up)"
cleanup
trap - EXIT

python3 - "$OUT" "$CREATE" "$HOOKS" "$DURATION" <<'PY'
import glob, json, statistics, sys
from collections import defaultdict
# Each figure twice: per second, and per second of the client's CPU time (what the client
# itself spends, whatever else runs on the machine).
duration = sys.argv[4]
values, rounds = defaultdict(list), defaultdict(dict)
for line in open(sys.argv[1]):
    r, what, client, wall, cpu = line.split()
    for kind, v in (("wall", wall), ("cpu", cpu)):
        values[kind, what, client].append(float(v))
        rounds[kind, what, client][r] = float(v)
med = {k: statistics.median(v) for k, v in values.items()}
def ratio(kind, what, a, b):
    """The median of the rounds' ratios: a and b ran seconds apart, drift between rounds cancels."""
    x, y = rounds[kind, what, a], rounds[kind, what, b]
    return statistics.median(x[r] / y[r] for r in x if r in y)
def fmt(what, x):
    return f"{x:.2f}" if what == "iperf" else f"{x:,.0f}"
names = {"conn": "connections", "udp": "UDP sends", "udpc": "UDP sends, connected socket", "iperf": "iperf3 Gbit"}
to = {"other": "another host address", "own": "the jail's own address",
      "local": "127.0.0.1 (the jail's: its own address)"}
metrics = [m for m in names if ("wall", m, "host:other") in med]
for kind, per in (("wall", "per second"), ("cpu", "per second of the client's CPU time")):
    print(f"\n| {per}: client → server | host | jail ip4.addr | × host | jail ip4=inherit | × host | ip4.addr × inherit |")
    print("|---|---|---|---|---|---|---|")
    for what in metrics:
        for dest, label in to.items():
            if (kind, what, f"host:{dest}") not in med: continue
            h, s, i = (f"{w}:{dest}" for w in ("host", "shared", "inherit"))
            print(f"| {names[what]} → {label} | {fmt(what, med[kind, what, h])} | {fmt(what, med[kind, what, s])} "
                  f"| {ratio(kind, what, s, h):.3f} | {fmt(what, med[kind, what, i])} | {ratio(kind, what, i, h):.3f} "
                  f"| {ratio(kind, what, s, i):.3f} |")
print("\n| client → server | jail ip4.addr → host address | vnet jail → vnet jail (veth, bridge) | vnet × ip4.addr | the same per CPU second |")
print("|---|---|---|---|---|")
for what in metrics:
    if ("wall", what, "vnet:vnet") not in med: continue
    print(f"| {names[what]} per second | {fmt(what, med['wall', what, 'shared:other'])} | {fmt(what, med['wall', what, 'vnet:vnet'])} "
          f"| {ratio('wall', what, 'vnet:vnet', 'shared:other'):.3f} | {ratio('cpu', what, 'vnet:vnet', 'shared:other'):.3f} |")
if ("wall", "udp", "shared:local") in med:
    print("\nThe jail's 127.0.0.1 is its own address, and a local address outside 127/8 costs more than "
          "127.0.0.1 even from the host. Jail → 127.0.0.1 against host → the jail's address: " + ", ".join(
              f"{names[w]} ×{ratio('wall', w, 'shared:local', 'host:own'):.3f} "
              f"(per CPU second ×{ratio('cpu', w, 'shared:local', 'host:own'):.3f})" for w in ("conn", "udp")) + ".")
n = len(values["wall", metrics[0], "host:other"]) if metrics else 0
for kind, per in (("wall", "per second"), ("cpu", "per CPU second")):
    spread = [max(v) / min(v) - 1 for k, v in values.items() if k[0] == kind]
    print(f"\nSpread of a figure {per} over its {n} rounds (max/min − 1): median {statistics.median(spread):.0%}, largest {max(spread):.0%}.", end="")
print("\nFigures: medians of the rounds. Ratios: medians of the rounds' ratios.")
hooks = defaultdict(list)
for line in open(sys.argv[3]):
    what, dest, data = line.split(" ", 2)
    d = json.loads(data)
    hooks[what, dest].append(d)
if hooks:
    print("\n| the jail's client → server | hook runs per operation | ns per hook run (kernel's BPF statistics) "
          "| client CPU ns per operation | hooks' share |")
    print("|---|---|---|---|---|")
    for (what, dest), ds in hooks.items():
        label = {"connect": "connections", "udp": "UDP sends", "iperf": "iperf3"}[what] + " → " + to[dest]
        if what == "iperf":
            print(f"| {label} | " + ", ".join(f"{n}: {v[1]} runs" for n, v in ds[0]["runs"].items()) + " in the whole test | | | |")
            continue
        per_op, ns, cpu = [], [], []
        for d in ds:
            ops_cpu = float(d["out"][1])
            cpu.append(1e9 / ops_cpu)
            total_runs = sum(v[1] for v in d["runs"].values())
            ns.append(sum(v[0] for v in d["runs"].values()) / total_runs)
            per_op.append(total_runs / (float(d["out"][0]) * float(duration)))
        names_ = "+".join(ds[0]["runs"])
        m_ns, m_cpu = statistics.median(ns), statistics.median(cpu)
        print(f"| {label} | {statistics.median(per_op):.2f} ({names_}) | {m_ns:.0f} | {m_cpu:.0f} | {m_ns / m_cpu:.1%} |")

times = defaultdict(list)
for path in glob.glob(sys.argv[2] + "/*.json"):
    for r in json.load(open(path))["results"]:
        times[r["command"]] += r["times"]
ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
if not times: sys.exit(0)
print(f"\n| jail -c path=… command=/bin/true ({len(times['none'])} runs each) | median ms | − none (ms) "
      "| with an IP jail up: median ms | − none (ms) |")
print("|---|---|---|---|---|")
up = " (an IP jail up)"
for k in ("none", "ip4", "ip4+ip6", "vnet"):
    print(f"| {k} | {ms[k]:.2f} | {ms[k] - ms['none']:+.2f} | {ms[k + up]:.2f} | {ms[k + up] - ms['none' + up]:+.2f} |")
PY
