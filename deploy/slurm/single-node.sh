#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (munge, slurmctld and
# slurmd from Debian's slurm-wlm packages), for the job-array test and for
# trying deploy/slurm/phiscrub-array.sbatch by hand. Needs root, and no
# other Slurm on the machine: it writes /etc/slurm/slurm.conf.
#
#   apt-get install slurmctld slurmd slurm-client munge
#   deploy/slurm/single-node.sh          # start, wait until the node is idle
#   deploy/slurm/single-node.sh stop
#
# Processes are tracked without cgroups (proctrack/linuxproc, task/none):
# containers and CI machines rarely give a writable cgroup tree, and the
# test needs Slurm's scheduling and signals, not its confinement.
set -euo pipefail

stop() {
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  pkill -x munged 2>/dev/null || true
}
if [ "${1:-start}" = stop ]; then
  stop
  exit 0
fi
for cmd in munged slurmctld slurmd sbatch sinfo; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  command -v "$cmd" >/dev/null 2>&1 || {
    echo "single-node.sh: $cmd is missing: apt-get install slurmctld slurmd slurm-client munge" >&2
    exit 1
  }
done
[ "$(id -u)" = 0 ] || { echo "single-node.sh: run it as root" >&2; exit 1; }
stop
sleep 0.5

HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 0700 /etc/munge && chmod 0600 /etc/munge/munge.key

cat > /etc/slurm/slurm.conf <<CONF
ClusterName=phiscrub-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
MpiDefault=none
MinJobAge=600
KillWait=5
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
# Slurm 22.05's slurmd loads a cgroup plugin even when nothing uses it:
# name the hierarchy the machine mounts rather than let it guess.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then CGROUP=cgroup/v2; else CGROUP=cgroup/v1; fi
cat > /etc/slurm/cgroup.conf <<CONF
CgroupPlugin=$CGROUP
CgroupAutomount=no
CONF

if id munge >/dev/null 2>&1; then
  su -s /bin/sh munge -c munged
else
  munged --force
fi
slurmctld -i
slurmd
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -1 || true)
  case "$state" in
    idle*) echo "single-node.sh: Slurm is up on $HOST ($CPUS CPUs, $MEM MB)"; exit 0 ;;
  esac
  sleep 0.5
done
echo "single-node.sh: the node did not come up (state: ${state:-none}); see /var/log/slurm/" >&2
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
