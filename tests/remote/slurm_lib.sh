# A real single-node Slurm for the remote tests: munged, slurmctld and
# slurmd started by the test, each with its own key, socket, ports and
# state directories under the test's temp dir, stopped when it ends.
# Sourced after sshd_lib.sh; sbatch, squeue, sacct and scancel reach this
# cluster through SLURM_CONF, which the sshd gives the slurm login port.
#
# Accounting: there is no slurmdbd here, so sacct answers "accounting
# storage is disabled"; jobcomp/filetxt records finished jobs in
# $SL/jobcomp.txt and scontrol remembers them for MinJobAge seconds.
# Fake GPUs: gres.conf names 4 "gpu" devices backed by /dev/null files so
# --gres=gpu:N is scheduled (and refused past 4) for real.

SL_PIDS=

# sl_need: skip (77) unless Slurm, munge and root are here.
sl_need() {
	local b
	for b in munged slurmctld slurmd sbatch squeue scancel sinfo scontrol; do
		command -v $b >/dev/null 2>&1 || [ -x /usr/sbin/$b ] ||
			rt_skip "no $b (apt-get install slurmctld slurmd slurm-client munge)"
	done
	[ "$(id -u)" -eq 0 ] || rt_skip "slurmd must run as root to start jobs as $RT_USER"
}

# sl_setup DIR: write the config for node $SL_NODE (the machine's short
# hostname, which slurmd must match) and start the cluster.
sl_setup() {
	SL=$1
	SL_NODE=$(hostname -s)
	mkdir -p "$SL/munge" "$SL/ctld" "$SL/d" "$SL/log" "$SL/gpu"
	chmod 755 "$SL" "$SL/log"
	chmod 711 "$SL/munge"
	# character devices like /dev/null (1:3): slurmd wants device files
	local gres="Name=gpu File=$SL/gpu/nvidia[0-3]"
	for i in 0 1 2 3; do mknod "$SL/gpu/nvidia$i" c 1 3 2>/dev/null || gres="Name=gpu Count=4"; done
	dd if=/dev/urandom bs=1 count=1024 of="$SL/munge/munge.key" 2>/dev/null
	chmod 400 "$SL/munge/munge.key"
	# own ports, chosen and bound under the same lock as sshd's
	exec 8>"${TMPDIR:-/tmp}/runyard-test-ports.lock"
	flock 8
	SL_CTLD_PORT=$(rt_port); SL_D_PORT=$(rt_port)
	while [ "$SL_D_PORT" = "$SL_CTLD_PORT" ]; do SL_D_PORT=$(rt_port); done
	cat > "$SL/slurm.conf" <<CONF
ClusterName=rytest
SlurmctldHost=$SL_NODE(127.0.0.1)
SlurmctldPort=$SL_CTLD_PORT
SlurmdPort=$SL_D_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SL/munge/socket
CredType=cred/munge
StateSaveLocation=$SL/ctld
SlurmdSpoolDir=$SL/d
SlurmctldPidFile=$SL/ctld.pid
SlurmdPidFile=$SL/d.pid
SlurmctldLogFile=$SL/log/slurmctld.log
SlurmdLogFile=$SL/log/slurmd.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SL/jobcomp.txt
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=600
KillWait=2
InactiveLimit=0
GresTypes=gpu
NodeName=$SL_NODE NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=500 Gres=gpu:4 State=UNKNOWN
PartitionName=gpu Nodes=$SL_NODE Default=YES MaxTime=INFINITE State=UP
PartitionName=cpu Nodes=$SL_NODE MaxTime=INFINITE State=UP
CONF
	cat > "$SL/gres.conf" <<CONF
AutoDetect=off
NodeName=$SL_NODE $gres
CONF
	chmod 644 "$SL/slurm.conf" "$SL/gres.conf"
	export SLURM_CONF=$SL/slurm.conf
	/usr/sbin/munged --socket="$SL/munge/socket" --key-file="$SL/munge/munge.key" \
		--pid-file="$SL/munge/pid" --seed-file="$SL/munge/seed" --log-file="$SL/log/munged.log" \
		--force 8>&- 9>&- || sl_bail "munged did not start"
	SL_PIDS="$(cat "$SL/munge/pid")"
	/usr/sbin/slurmctld -c -f "$SL/slurm.conf" 8>&- 9>&- || sl_bail "slurmctld did not start"
	sl_wait_file "$SL/ctld.pid" || sl_bail "slurmctld wrote no pid file"
	/usr/sbin/slurmd -N "$SL_NODE" -f "$SL/slurm.conf" 8>&- 9>&- || sl_bail "slurmd did not start"
	sl_wait_file "$SL/d.pid" || sl_bail "slurmd wrote no pid file"
	flock -u 8
	# ready when the node takes jobs (idle), within a deadline
	local i
	for i in $(seq 1 100); do
		[ "$(sinfo -h -n "$SL_NODE" -o %T -p gpu 2>/dev/null)" = idle ] && return 0
		sleep 0.1
	done
	sl_bail "the node did not become idle"
}

sl_wait_file() {
	local i
	for i in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.05; done
	return 1
}

sl_bail() {
	echo "Bail out! slurm: $*"
	for f in "$SL"/log/*.log; do [ -f "$f" ] && tail -n 20 "$f" | sed "s|^|# $(basename "$f"): |"; done
	sl_stop
	exit 1
}

# sl_stop: cancel every job first (their processes outlive slurmd), wait
# for the queue to empty, then stop the daemons, each by its pid file.
sl_stop() {
	[ -n "$SL" ] && [ -e "$SL/slurm.conf" ] || return 0
	if [ -s "$SL/ctld.pid" ]; then
		scancel --full -w "$SL_NODE" >/dev/null 2>&1
		local i
		for i in $(seq 1 100); do
			[ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
			sleep 0.1
		done
	fi
	local f p
	for f in "$SL/d.pid" "$SL/ctld.pid" "$SL/munge/pid"; do
		p=$(cat "$f" 2>/dev/null)
		case $p in ''|*[!0-9]*) continue;; esac
		kill "$p" 2>/dev/null
		for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	rm -f "$SL/slurm.conf"
}
