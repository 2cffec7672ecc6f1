#!/usr/bin/env bash
# Two "hosts" on one machine, for the multi-host path of `mpirun --hostfile`: two network namespaces joined by
# a veth pair (10.77.0.1 and 10.77.0.2), each rank in its own namespace with its own host name (a UTS
# namespace), Open MPI's TCP transport over the veth only, and an rsh agent that "logs in" to a host by
# entering its namespaces instead of ssh. Trains LN-Tuning on the bundled sample with one rank per host and
# compares the adapters and log with a one-process run. Needs root (ip netns) and an MPI build:
#
#   swift build --traits MPI --scratch-path .build/mpi && sudo eval/mpi_two_hosts.sh .build/mpi/debug/lntune
#
# With a second argument, the ping-pong program built from eval/mpi_pingpong.c, it also measures latency and
# bandwidth between the two hosts (over the veth).
set -euo pipefail
cd "$(dirname "$0")/.."
lntune=$(realpath "${1:-.build/mpi/debug/lntune}")
pingpong=${2:+$(realpath "$2")}
work=$(mktemp -d /tmp/lntune-two-hosts.XXXXXX)
a=lntune-host-a
b=lntune-host-b

cleanup() {
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# Namespaces left by a run that was killed before its clean-up.
ip netns del "$a" 2>/dev/null || true
ip netns del "$b" 2>/dev/null || true

ip netns add "$a"
ip netns add "$b"
ip link add lntune-veth-a type veth peer name lntune-veth-b
ip link set lntune-veth-a netns "$a"
ip link set lntune-veth-b netns "$b"
ip -n "$a" addr add 10.77.0.1/24 dev lntune-veth-a
ip -n "$b" addr add 10.77.0.2/24 dev lntune-veth-b
for ns in "$a" "$b"; do
    ip -n "$ns" link set lo up
done
ip -n "$a" link set lntune-veth-a up
ip -n "$b" link set lntune-veth-b up

# The rsh agent: `agent HOST COMMAND…` runs COMMAND in HOST's namespaces under the host name HOST.
cat >"$work/enter-host" <<EOF
#!/usr/bin/env bash
host=\$1; shift
case "\$host" in
    10.77.0.1) ns=$a; name=host-a ;;
    10.77.0.2) ns=$b; name=host-b ;;
    *) echo "enter-host: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" unshare --uts bash -c "hostname \$name; \$*"
EOF
chmod +x "$work/enter-host"
printf '10.77.0.1 slots=1\n10.77.0.2 slots=1\n' >"$work/hosts"

args=(train --model data/tiny-model --task e2e --train data/sample/train.csv --dev data/sample/dev.csv
    --max-dev-examples 24 --method ln --seed 4 --batch-size 10 --max-steps 6 --eval-every 3 --dropout 0.1)
LNTUNE_THREADS=1 "$lntune" "${args[@]}" --out "$work/one" >"$work/one.log" 2>&1

# mpirun itself runs on host a; its daemon on host b is started through the agent. --bind-to none: each
# "host" believes it has the machine's cores to itself and would bind its rank to core 0, so both ranks
# would busy-poll on one core (2 ms a message instead of ~12 µs).
ip netns exec "$a" unshare --uts bash -c "hostname host-a; exec mpirun --allow-run-as-root -np 2 \
    --hostfile $work/hosts --mca plm_rsh_agent $work/enter-host --bind-to none --mca btl tcp,self \
    --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 -x LNTUNE_THREADS=1 \
    $lntune ${args[*]} --out $work/two" 2>&1 | tee "$work/two.log" | grep '^data-parallel'

status=0
for file in final/adapter_model.safetensors final/adapter_config.json best/adapter_model.safetensors train_log.jsonl; do
    if cmp -s "$work/one/$file" "$work/two/$file"; then
        echo "identical: $file"
    else
        echo "DIFFERENT: $file"
        status=1
    fi
done
if [ -n "$pingpong" ]; then
    ip netns exec "$a" unshare --uts bash -c "hostname host-a; exec mpirun --allow-run-as-root -np 2 \
        --hostfile $work/hosts --mca plm_rsh_agent $work/enter-host --bind-to none --mca btl tcp,self \
        --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 $pingpong"
fi
exit $status
