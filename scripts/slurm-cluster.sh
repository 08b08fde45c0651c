#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for testing `featurelab sweep slurm` for real
# (test/cli/sweep-slurm.test.ts; docs/sweeps.md "Slurm and Kubernetes"). Run as root, with
# Debian's slurm-wlm and munge installed (`apt-get install -y slurm-wlm munge`).
#
#   scripts/slurm-cluster.sh start DIR   # DIR: an empty or new directory; prints `export SLURM_CONF=…`
#   scripts/slurm-cluster.sh stop DIR    # kills the daemons by the PIDs recorded in DIR
#
# Everything lives under DIR: slurm.conf, the munge key and socket, state, spool, logs and pid
# files; nothing under /etc is read or written. Clients (sbatch, squeue, sinfo) find the cluster
# through SLURM_CONF=DIR/slurm.conf. Ports: SLURMCTLD_PORT (default 6817) and SLURMD_PORT
# (default 6818), so two clusters (or a real one) can coexist.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$2
case "$dir" in
/*) ;;
*) dir="$(pwd)/$dir" ;;
esac

# Prints the PID recorded in file $1 if that PID still runs program $2 (a stale file's PID may
# belong to another process by now), and removes the file.
recorded_pid() {
  local pidfile=$1 name=$2 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  rm -f "$pidfile"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && echo "$pid"
  return 0
}

if [ "$action" = stop ]; then
  pids=()
  for daemon in slurmd slurmctld munged; do
    pid=$(recorded_pid "$dir/run/$daemon.pid" "$daemon")
    [ -n "$pid" ] && pids+=("$pid")
  done
  # all at once (slurmctld takes seconds to save its state); SIGKILL after 10 s
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 100); do
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ ${#alive[@]} -eq 0 ] && break
    sleep 0.1
  done
  [ ${#alive[@]} -gt 0 ] && kill -9 "${alive[@]}" 2>/dev/null || true
  echo "slurm-cluster: stopped the daemons of $dir"
  exit 0
fi
[ "$action" = start ] || usage

for tool in munged slurmctld slurmd sinfo sbatch; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "slurm-cluster: $tool is not installed (apt-get install -y slurm-wlm munge)" >&2
    exit 1
  }
done
[ "$(id -u)" = 0 ] || {
  echo "slurm-cluster: run as root (SlurmUser=root, and slurmd starts jobs as their user)" >&2
  exit 1
}
if [ -f "$dir/run/slurmctld.pid" ] && [ "$(cat "/proc/$(cat "$dir/run/slurmctld.pid")/comm" 2>/dev/null)" = slurmctld ]; then
  echo "slurm-cluster: $dir already holds a cluster; stop it first ($0 stop $dir)" >&2
  exit 1
fi

mkdir -p "$dir"
# munged refuses directories that others may write, and a key others may read
chmod 0700 "$dir"
mkdir -p -m 0700 "$dir/munge" "$dir/run" "$dir/log" "$dir/state" "$dir/spool"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$dir/munge/munge.key"

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
ctld_port=${SLURMCTLD_PORT:-6817}
slurmd_port=${SLURMD_PORT:-6818}
conf="$dir/slurm.conf"
cat >"$conf" <<EOF
# written by scripts/slurm-cluster.sh: a one-node cluster, everything under $dir
ClusterName=featurelab
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# no cgroups in a container: track processes through /proc, bind no tasks
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
# a finished job stays visible to scontrol for 5 minutes (the test reads its state there)
MinJobAge=300
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$conf"

# Prints the last lines of every log, for a failure message.
logs_tail() {
  for f in "$dir"/log/*.log; do
    [ -f "$f" ] || continue
    echo "--- $f (last 20 lines)" >&2
    tail -n 20 "$f" >&2
  done
}
fail() {
  echo "slurm-cluster: $1" >&2
  logs_tail
  echo "slurm-cluster: stopping what started ($0 stop $dir)" >&2
  "$0" stop "$dir" >/dev/null
  exit 1
}

# The daemons fork into the background; their standard streams go to /dev/null so that a
# caller reading this script's output is not held open by them.
munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
  --seed-file="$dir/munge/munged.seed" </dev/null >/dev/null 2>&1 || fail "munged did not start"
slurmctld -c -f "$conf" </dev/null >/dev/null 2>&1 || fail "slurmctld did not start"
slurmd -f "$conf" </dev/null >/dev/null 2>&1 || fail "slurmd did not start"

# Ready when sinfo shows the node idle (its first registration may take a few seconds).
timeout=${SLURM_CLUSTER_TIMEOUT:-60}
for _ in $(seq $((timeout * 2))); do
  state=$(sinfo -h -n "$host" -o '%T' 2>/dev/null || true)
  if [ "$state" = idle ]; then
    echo "export SLURM_CONF=$conf"
    exit 0
  fi
  sleep 0.5
done
fail "the node $host is not idle after ${timeout} s (sinfo says '${state:-nothing}')"
