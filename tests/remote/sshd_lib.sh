# A real OpenSSH sshd on 127.0.0.1 for the remote tests, started and stopped
# by the test.  Sourced after tests/cli/lib.sh (which sets HOME to a temp dir).
#
# One sshd listens on three random high ports; `Match LocalPort` gives each
# port a different PATH, so the same login sees a 2-GPU host, an 8-GPU host
# (one GPU busy) or a CPU host through the fake nvidia-smi.  Logins go to a
# non-root user (root's shell rc is slow here), created when we are root.
# With RT_SLURM_CONF set (slurm_lib.sh), a fourth port is a Slurm login
# node: a CPU host whose sessions get SLURM_CONF.

RT_USER=${RT_USER:-runyardtest}
SSHD_PID=

rt_skip() { echo "1..0 # SKIP $*"; exit 77; }

# A free port below the kernel's ephemeral range (32768-60999 by default),
# so no outgoing connection of a test running beside this one holds it.
rt_port() {
	local p
	while :; do
		p=$(( (RANDOM % 12000) + 20000 ))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo $p; return; fi
	done
}

# rt_setup: keys, user, fake GPUs, sshd config, ssh config, known_hosts.
rt_setup() {
	[ -x /usr/sbin/sshd ] || rt_skip "no /usr/sbin/sshd (apt-get install openssh-server)"
	command -v ssh-keygen >/dev/null || rt_skip "no ssh-keygen (apt-get install openssh-client)"
	if ! id "$RT_USER" >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || rt_skip "test user $RT_USER missing and not root to create it"
		useradd -m -p '*' "$RT_USER" 2>/dev/null || rt_skip "cannot create test user $RT_USER"
	fi
	[ "$(id -u)" -eq 0 ] || rt_skip "sshd for another user needs root"
	mkdir -p /run/sshd || rt_skip "cannot create /run/sshd"
	RT=$T_TMP/rt
	mkdir -p "$RT" "$HOME/.ssh"
	chmod 755 "$T_TMP" "$RT"
	ssh-keygen -q -t ed25519 -N '' -C rt-host -f "$RT/hostkey" || rt_skip "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -C rt-client -f "$HOME/.ssh/id_ed25519"
	cp "$HOME/.ssh/id_ed25519.pub" "$RT/authorized_keys"
	chmod 644 "$RT/authorized_keys"
	# the remote workdir belongs to the login user
	RT_WORK=$RT/work
	mkdir -p "$RT_WORK"
	chown "$RT_USER" "$RT_WORK"
	local src=$RUNYARD_SRCDIR/tests/remote
	for kind in gpu2 gpu8; do
		mkdir -p "$RT/$kind"
		cp "$src/fake-nvidia-smi" "$RT/$kind/nvidia-smi"
	done
	mkdir -p "$RT/cpu"
	cat > "$RT/gpu2/gpus.csv" <<'CSV'
0, GPU-1a2b3c4d-0000-4000-8000-000000000000, NVIDIA GeForce RTX 3090, 1, 24576, 0
1, GPU-1a2b3c4d-0000-4000-8000-000000000001, NVIDIA GeForce RTX 3090, 1, 24576, 0
CSV
	: > "$RT/gpu2/apps.csv"
	: > "$RT/gpu8/gpus.csv"
	for i in 0 1 2 3 4 5 6 7; do
		if [ $i -eq 3 ]; then used=61234; util=97; else used=4; util=0; fi
		echo "$i, GPU-8a8b8c8d-0000-4000-8000-00000000000$i, NVIDIA A100-SXM4-80GB, $used, 81920, $util" >> "$RT/gpu8/gpus.csv"
	done
	echo "GPU-8a8b8c8d-0000-4000-8000-000000000003, 1, 61230" > "$RT/gpu8/apps.csv"
	chmod -R a+rX "$RT"
	chmod 600 "$RT/hostkey"
	# Tests run in parallel: hold a lock from choosing the ports until sshd
	# has bound them, so two suites never pick the same free port.
	exec 9>"${TMPDIR:-/tmp}/runyard-test-ports.lock"
	flock 9
	RT_PORT2=$(rt_port); RT_PORT8=$(rt_port); RT_PORTC=$(rt_port)
	RT_PORTS=
	[ -n "${RT_SLURM_CONF:-}" ] && RT_PORTS=$(rt_port)
	local base=/usr/local/bin:/usr/bin:/bin
	cat > "$RT/sshd_config" <<CONF
ListenAddress 127.0.0.1:$RT_PORT2
ListenAddress 127.0.0.1:$RT_PORT8
ListenAddress 127.0.0.1:$RT_PORTC
${RT_PORTS:+ListenAddress 127.0.0.1:$RT_PORTS}
HostKey $RT/hostkey
PidFile none
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $RT/authorized_keys
AllowUsers $RT_USER
MaxStartups 100
MaxSessions 50
PrintMotd no
LogLevel ERROR
Subsystem sftp internal-sftp
Match LocalPort $RT_PORT2
	SetEnv PATH=$RT/gpu2:$base
Match LocalPort $RT_PORT8
	SetEnv PATH=$RT/gpu8:$base
Match LocalPort $RT_PORTC
	SetEnv PATH=$RT/cpu:$base
CONF
	[ -n "$RT_PORTS" ] && printf 'Match LocalPort %s\n\tSetEnv PATH=%s SLURM_CONF=%s\n' \
		"$RT_PORTS" "$RT/cpu:$base" "$RT_SLURM_CONF" >> "$RT/sshd_config"
	cat > "$HOME/.ssh/config" <<CONF
Host gpu2
	HostName 127.0.0.1
	Port $RT_PORT2
Host gpu8
	HostName 127.0.0.1
	Port $RT_PORT8
Host cpubox
	HostName 127.0.0.1
	Port $RT_PORTC
Host *
	User $RT_USER
	ConnectTimeout 5
CONF
	[ -n "$RT_PORTS" ] && printf 'Host slurm\n\tHostName 127.0.0.1\n\tPort %s\n' "$RT_PORTS" >> "$HOME/.ssh/config"
	cat > "$RT/runyard.conf" <<CONF
[host gpu2]
price_per_hour = 0.5
gpu_price_per_hour = 1.25
labels = rtx3090
workdir = $RT_WORK/gpu2
lease_dir = $RT_WORK/leases
[host gpu8]
price_per_hour = 2
gpu_price_per_hour = 3
labels = a100
max_gpus = 8
workdir = $RT_WORK/gpu8
lease_dir = $RT_WORK/leases
[host cpubox]
price_per_hour = 0.1
workdir = $RT_WORK/cpu
lease_dir = $RT_WORK/leases
CONF
	export RUNYARD_CONFIG=$RT/runyard.conf
	unset SSH_AUTH_SOCK RUNYARD_SSH_CONFIG RUNYARD_KNOWN_HOSTS
	trap 'rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT
	rt_start
	: > "$HOME/.ssh/known_hosts"
	# a busy machine can make one keyscan time out: try each port again
	# until it answers, within a deadline
	local p k
	for p in $RT_PORT2 $RT_PORT8 $RT_PORTC $RT_PORTS; do
		for _ in 1 2 3 4 5 6; do
			k=$(ssh-keyscan -T 10 -t ed25519 -p $p 127.0.0.1 2>/dev/null)
			[ -n "$k" ] && break
		done
		[ -n "$k" ] && echo "$k" >> "$HOME/.ssh/known_hosts"
	done
	local want=3
	[ -n "$RT_PORTS" ] && want=4
	[ "$(wc -l < "$HOME/.ssh/known_hosts")" -eq $want ] ||
		{ echo "Bail out! ssh-keyscan got no keys:"; sed 's/^/# /' "$RT/sshd.log"; exit 1; }
}

# rt_start / rt_stop: the sshd process (restartable mid-test).
rt_start() {
	/usr/sbin/sshd -D -e -f "$RT/sshd_config" 2>>"$RT/sshd.log" 9>&- &
	SSHD_PID=$!
	local i
	for i in $(seq 1 100); do
		if ssh-keyscan -T 1 -p "$RT_PORTC" 127.0.0.1 >/dev/null 2>&1 &&
		   ssh-keyscan -T 1 -p "$RT_PORT2" 127.0.0.1 >/dev/null 2>&1 &&
		   ssh-keyscan -T 1 -p "$RT_PORT8" 127.0.0.1 >/dev/null 2>&1 &&
		   { [ -z "$RT_PORTS" ] || ssh-keyscan -T 1 -p "$RT_PORTS" 127.0.0.1 >/dev/null 2>&1; }; then
			flock -u 9 2>/dev/null; return 0
		fi
		kill -0 "$SSHD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "Bail out! sshd did not start:"; sed 's/^/# /' "$RT/sshd.log"; exit 1
}

# rt_reap: kill what the test's jobs left running on the "host", by the
# process-group ids their wrappers recorded (each job is its own group).
rt_reap() {
	local f p
	for f in "$RT_WORK"/*/runs/*/pid; do
		[ -s "$f" ] || continue
		p=$(cat "$f")
		case $p in ''|*[!0-9]*) continue;; esac
		kill -KILL -"$p" 2>/dev/null
	done
	return 0
}

rt_stop() {
	if [ -n "$SSHD_PID" ]; then
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
		SSHD_PID=
	fi
}

# ---- helpers the remote tests share ----------------------------------------
# sql QUERY: read the test's workspace; a busy timeout, since a runyard
# beside the test may hold the write lock a moment.
sql() { sqlite3 -cmd ".timeout 10000" "$RUNYARD_DB" "$1"; }
status_of() { sql "SELECT status FROM runs WHERE id = $1"; }
# wait_status ID STATUS: sync until the run has STATUS (20 s deadline)
wait_status() {
	local i
	for i in $(seq 1 80); do
		"$RUNYARD" sync >/dev/null 2>&1
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.25
	done
	return 1
}
# group_alive PGID: a live member of the process group is left (a zombie
# is gone: where nothing reaps orphans, e.g. in a container, one may linger).
group_alive() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'; }
# json EXPR: EXPR (python, d = the JSON document) of $T_TMP/out.
json() { python3 -c "import json,sys; d=json.load(open('$T_TMP/out')); print($1)" 2>/dev/null; }
# rt_repo DIR: a git repository with one committed file, to launch from;
# the shell is left in it.
rt_repo() {
	mkdir -p "$1" && cd "$1" || exit 1
	git init -q . && git config user.email t@example.org && git config user.name tester
	echo x > f.txt && git add . && git commit -qm init
}

# ---- a host behind a link the test can break (issue 16) ---------------------
# rt_netns_setup: after rt_setup, a host `nethost` in network namespaces of
# its own: runyard in a client namespace, the host (a second sshd, CPU only,
# workdir $RT_WORK/net) in another, and a router namespace between them on
# two veth pairs, so the link can be cut (rt_link_down) or made lossy
# (rt_link_lossy) in the middle without either end's interface noticing.
# From then on $RUNYARD runs runyard in the client namespace, so `ry`,
# wait_status and the rest reach the host the way a user would.  Everything
# is removed on exit, even on failure.  Addresses live only inside the
# namespaces (10.231.1.0/30 client-router, 10.231.2.0/30 router-host).
# RT_NET_TIMEOUT is the host's ConnectTimeout: the deadline of every connect
# and every stalled read or write (core/remote/ssh.c).
RT_NET_TIMEOUT=${RT_NET_TIMEOUT:-3}
RT_NS_C= RT_NS_R= RT_NS_H= RT_NET_SSHD=
rt_netns_setup() {
	[ "$(id -u)" -eq 0 ] || rt_skip "network namespaces need root"
	command -v ip >/dev/null || rt_skip "no ip (apt-get install iproute2)"
	command -v tc >/dev/null || rt_skip "no tc (apt-get install iproute2)"
	local tag=ry16$$x$RANDOM
	RT_NS_C=${tag}c RT_NS_R=${tag}r RT_NS_H=${tag}h
	ip netns add "$RT_NS_C" 2>/dev/null || rt_skip "cannot create a network namespace (ip netns add)"
	trap 'rt_netns_stop; rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT
	trap 'exit 143' TERM INT HUP
	local ns
	ip netns add "$RT_NS_R" && ip netns add "$RT_NS_H" || rt_skip "cannot create network namespaces"
	for ns in "$RT_NS_C" "$RT_NS_R" "$RT_NS_H"; do ip -n "$ns" link set lo up; done
	ip link add c0 netns "$RT_NS_C" type veth peer name rc netns "$RT_NS_R" &&
	ip link add h0 netns "$RT_NS_H" type veth peer name rh netns "$RT_NS_R" ||
		rt_skip "cannot create veth pairs"
	ip -n "$RT_NS_C" addr add 10.231.1.2/30 dev c0
	ip -n "$RT_NS_R" addr add 10.231.1.1/30 dev rc
	ip -n "$RT_NS_R" addr add 10.231.2.1/30 dev rh
	ip -n "$RT_NS_H" addr add 10.231.2.2/30 dev h0
	ip -n "$RT_NS_C" link set c0 up; ip -n "$RT_NS_H" link set h0 up
	ip -n "$RT_NS_R" link set rc up; ip -n "$RT_NS_R" link set rh up
	ip -n "$RT_NS_C" route add default via 10.231.1.1
	ip -n "$RT_NS_H" route add default via 10.231.2.1
	# with the link down, the router drops what it cannot forward without
	# a word (no ICMP "unreachable" that would end a connect at once): a
	# dead link, not a refusing one
	ip -n "$RT_NS_R" route add blackhole 10.231.2.0/30 metric 100
	ip netns exec "$RT_NS_R" sysctl -qw net.ipv4.ip_forward=1 || rt_skip "cannot forward in a namespace"
	# the host's sshd: the loopback one's keys and users, its own address
	sed -e '/^ListenAddress/d' -e '/^Match/,$d' "$RT/sshd_config" > "$RT/sshd_net_config"
	printf 'ListenAddress 10.231.2.2:22\nSetEnv PATH=%s\n' "$RT/cpu:/usr/local/bin:/usr/bin:/bin" >> "$RT/sshd_net_config"
	ip netns exec "$RT_NS_H" /usr/sbin/sshd -D -e -f "$RT/sshd_net_config" 2>>"$RT/sshd_net.log" 9>&- &
	RT_NET_SSHD=$!
	# the alias first: for each option the first value wins, and the
	# `Host *` block after it says ConnectTimeout 5
	{ printf 'Host nethost\n\tHostName 10.231.2.2\n\tPort 22\n\tConnectTimeout %s\n' "$RT_NET_TIMEOUT"
	  cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new" && mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
	printf '[host nethost]\nprice_per_hour = 0.1\nworkdir = %s\nlease_dir = %s\n' \
		"$RT_WORK/net" "$RT_WORK/leases" >> "$RT/runyard.conf"
	local k= i
	for i in $(seq 1 100); do
		k=$(ip netns exec "$RT_NS_C" ssh-keyscan -T 2 -t ed25519 10.231.2.2 2>/dev/null)
		[ -n "$k" ] && break
		kill -0 "$RT_NET_SSHD" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$k" ] || { echo "Bail out! the namespaced sshd did not answer:"; sed 's/^/# /' "$RT/sshd_net.log"; exit 1; }
	echo "$k" >> "$HOME/.ssh/known_hosts"
	RT_RUNYARD_REAL=$RUNYARD
	printf '#!/bin/sh\nexec ip netns exec %s "%s" "$@"\n' "$RT_NS_C" "$RT_RUNYARD_REAL" > "$T_TMP/runyard-in-netns"
	chmod +x "$T_TMP/runyard-in-netns"
	RUNYARD=$T_TMP/runyard-in-netns
}

# rt_netns_stop: the namespaced sshd, anything left in the namespaces, the
# namespaces (their veths go with them).
rt_netns_stop() {
	local ns p
	[ -n "$RT_NET_SSHD" ] && kill "$RT_NET_SSHD" 2>/dev/null && wait "$RT_NET_SSHD" 2>/dev/null
	RT_NET_SSHD=
	for ns in $RT_NS_C $RT_NS_R $RT_NS_H; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	RT_NS_C= RT_NS_R= RT_NS_H=
	return 0
}

# rt_link_down / rt_link_up: the router's port towards the host goes down
# and comes back, as when a link between two switches drops.  Nothing
# answers (the router's blackhole route: no ICMP "unreachable"), what is
# queued past the cut is lost with it (a shaping qdisc on the client's port
# is dropped, or its backlog would keep the client's reads going at 1 Mbit/s
# after the cut), and both ends' connections stay open, waiting, until they
# give up.  The client's own interface keeps its carrier.
rt_link_down() {
	ip -n "$RT_NS_R" link set rh down
	ip netns exec "$RT_NS_R" tc qdisc del dev rc root 2>/dev/null
	return 0
}
# rt_link_up returns once the host answers again from the client's side
# (20 s deadline): for a moment after the ports come up, ARP has not
# resolved and a connect meets "No route to host" at once.
rt_link_up() {
	local i
	ip -n "$RT_NS_R" link set rh up
	for i in $(seq 1 100); do
		ip netns exec "$RT_NS_C" ssh-keyscan -T 1 -t ed25519 10.231.2.2 >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# rt_link_slow: the link capped at 1 Mbit/s each way (an htb class).
rt_link_slow() {
	local dev t="ip netns exec $RT_NS_R tc"
	for dev in rc rh; do
		$t qdisc add dev $dev root handle 1: htb default 1 &&
		$t class add dev $dev parent 1: classid 1:1 htb rate 1mbit || return 1
	done
}
rt_link_lossy() {
	local dev t="ip netns exec $RT_NS_R tc"
	rt_link_slow || return 1
	for dev in rc rh; do
		$t class add dev $dev parent 1: classid 1:2 htb rate 1mbit &&
		$t qdisc add dev $dev parent 1:2 handle 20: pfifo limit 0 &&
		$t filter add dev $dev parent 1: protocol ip prio 1 u32 match u16 1 0x3 at 4 flowid 1:2 &&
		$t filter add dev $dev parent 1: protocol ip prio 2 u32 match u16 2 0xf at 4 flowid 1:2 || return 1
	done
}
rt_link_clean() {
	local dev
	for dev in rc rh; do ip netns exec "$RT_NS_R" tc qdisc del dev $dev root 2>/dev/null; done
	return 0
}
# rt_link_dropped: packets the lossy link has dropped so far
rt_link_dropped() {
	local dev n=0 d
	for dev in rc rh; do
		d=$(ip netns exec "$RT_NS_R" tc -s class show dev $dev classid 1:2 2>/dev/null |
			sed -n 's/.*(dropped \([0-9]*\),.*/\1/p')
		n=$((n + ${d:-0}))
	done
	echo $n
}
