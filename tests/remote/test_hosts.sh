#!/bin/bash
# Hosts against a real sshd: probe of a 2-GPU, an 8-GPU (one busy) and a CPU
# host, host-key refusals, auth/refused/DNS errors, a ProxyJump hop, and 20
# Host aliases probed concurrently.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup

# jq-less JSON checks: json EXPR (python, `d` is the document) must print True
expect_json() { if [ "$(json "$1")" = True ]; then ok "$2"; else fail "$2 (false: $1)"; fi; }

ry hosts
expect_rc 0 "hosts lists without probing"
expect_out_has "gpu8  [ssh+config]  \$2.00/h + \$3.00/GPU-h" "hosts shows origin and prices"
expect_out_lacks "*" "wildcard Host entries are not hosts"

ry hosts --probe --json
expect_rc 0 "hosts --probe --json"
expect_json "[h['name'] for h in d['hosts']] == ['cpubox','gpu2','gpu8']" "three hosts, sorted"
expect_json "all(h['reachable'] for h in d['hosts'])" "all three reachable"
expect_json "[len(h['gpus']) for h in d['hosts']] == [0,2,8]" "0, 2 and 8 GPUs"
expect_json "d['hosts'][0]['gpu_host'] == False and d['hosts'][2]['gpu_host'] == True" "cpubox is a CPU host"
expect_json "d['hosts'][2]['free_gpus'] == 7 and d['hosts'][1]['free_gpus'] == 2" "free GPU counts"
expect_json "d['hosts'][2]['gpus'][3]['users'] == 'root' and d['hosts'][2]['gpus'][3]['utilization'] == 97" "busy GPU shows its owner and utilisation"
expect_json "d['hosts'][2]['gpus'][3]['memory_used_mib'] == 61234 and d['hosts'][2]['gpus'][0]['name'] == 'NVIDIA A100-SXM4-80GB'" "GPU memory and name parsed"
expect_json "all(h['cpus'] >= 1 and h['disk_free_kb'] > 0 and h['mem_available_kb'] > 0 for h in d['hosts'])" "cpus, free memory and disk probed"

ry hosts --probe gpu8
expect_out_has "busy: root (1 process)" "text view names who holds the busy GPU"
expect_out_has "8 GPUs, 7 free" "text view counts free GPUs"

# a MIG-partitioned H100 answers [N/A] for utilisation (and may for memory):
# n/a in text, null in JSON, never nan; a line that is not the 6 columns
# asked for is no GPU and the host says what it printed
cp "$RT/gpu2/gpus.csv" "$T_TMP/gpus2.csv"
cat > "$RT/gpu2/gpus.csv" <<'CSV'
0, GPU-4e2a7c1e-0000-4000-8000-000000000000, NVIDIA H100 80GB HBM3, 13, 81559, [N/A]
1, GPU-4e2a7c1e-0000-4000-8000-000000000001, NVIDIA H100 80GB HBM3, [N/A], [N/A], [N/A]
CSV
ry hosts --probe gpu2
expect_out_has "13/81559 MiB   n/a" "MIG GPU: utilisation prints n/a"
expect_out_has "n/a/n/a MiB   n/a" "MIG GPU: unknown memory prints n/a"
expect_out_lacks "nan" "MIG GPU: no nan in the text view"
ry hosts --probe --json gpu2
expect_json "d['hosts'][0]['gpus'][0]['utilization'] is None and d['hosts'][0]['gpus'][1]['memory_used_mib'] is None" "MIG GPU: null in JSON"
echo "2, GPU-4e2a7c1e-0000-4000-8000-000000000002, NVIDIA H100 80GB HBM3, 70000, 81559, 99, 1" >> "$RT/gpu2/gpus.csv"
ry hosts --probe --json gpu2
expect_json "len(d['hosts'][0]['gpus']) == 2 and d['hosts'][0]['free_gpus'] == 2" "a 7-column line is not a free GPU"
expect_json "\"gpu2 printed '2, GPU-4e2a7c1e\" in d['hosts'][0]['gpu_error']" "the host says which line it printed"
cp "$T_TMP/gpus2.csv" "$RT/gpu2/gpus.csv"

# hashed known_hosts entries are honoured
cp "$HOME/.ssh/known_hosts" "$T_TMP/kh.plain"
ssh-keygen -q -H -f "$HOME/.ssh/known_hosts" >/dev/null 2>&1
ry hosts --probe --json gpu2
expect_json "d['hosts'][0]['reachable']" "hashed known_hosts entries verify"
if grep -q '^|1|' "$HOME/.ssh/known_hosts"; then ok "known_hosts really was hashed"; else fail "known_hosts really was hashed"; fi
cp "$T_TMP/kh.plain" "$HOME/.ssh/known_hosts"

# unknown host: refused with the fingerprint and the command to trust it
fp=$(ssh-keygen -lf "$RT/hostkey.pub" | awk '{print $2}')
grep -v "$RT_PORT2" "$T_TMP/kh.plain" > "$HOME/.ssh/known_hosts"
ry hosts --probe --json gpu2
expect_json "d['hosts'][0]['reachable'] == False and d['hosts'][0]['error_kind'] == 'unknown host key'" "unknown host key refused"
expect_json "'$fp' in d['hosts'][0]['error']" "refusal shows the SHA256 fingerprint"
expect_json "'ssh-keyscan -p $RT_PORT2 127.0.0.1 >> ' in d['hosts'][0]['error']" "refusal gives the command to trust it"
if grep -q "$RT_PORT2" "$HOME/.ssh/known_hosts"; then fail "known_hosts was modified"; else ok "the unknown key was not added"; fi

# changed host key: refused loudly
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/otherkey"
{ cat "$HOME/.ssh/known_hosts"; echo "[127.0.0.1]:$RT_PORT2 $(cut -d' ' -f1-2 "$T_TMP/otherkey.pub")"; } > "$T_TMP/kh"
cp "$T_TMP/kh" "$HOME/.ssh/known_hosts"
ry hosts --probe gpu2
expect_out_has "unreachable (host key changed): WARNING: THE HOST KEY OF" "changed host key refused loudly"
expect_out_has "ssh-keygen -R" "changed key message says how to remove the old key"
# a known_hosts line libssh2 cannot parse does not hide the ones after it
{ echo "@cert-authority *.example.org ssh-ed25519 AAAAbogus"; echo "garbage line"; cat "$T_TMP/kh.plain"; } > "$HOME/.ssh/known_hosts"
ry hosts --probe --json gpu2
expect_json "d['hosts'][0]['reachable']" "unparseable known_hosts lines are skipped, not fatal"
cp "$T_TMP/kh.plain" "$HOME/.ssh/known_hosts"

# auth, refused, DNS
ssh-keygen -q -t ed25519 -N '' -f "$HOME/.ssh/stranger"
free_port=$(rt_port)
cat >> "$HOME/.ssh/config.extra" <<CONF
Host wrongkey
	HostName 127.0.0.1
	Port $RT_PORT2
	IdentityFile ~/.ssh/stranger
Host deadport
	HostName 127.0.0.1
	Port $free_port
Host nowhere
	HostName no-such-host.invalid
CONF
{ cat "$HOME/.ssh/config.extra"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
ry hosts --probe --json wrongkey deadport nowhere
expect_json "[h['error_kind'] for h in d['hosts']] == ['auth','refused','dns']" "auth, refused and DNS failures are told apart"
expect_json "'stranger' in d['hosts'][0]['error'] and 'authorized_keys' in d['hosts'][0]['error']" "auth failure names the key tried and what to do"

# an RSA key: Debian's libssh2 1.10 signs with SHA-1, OpenSSH 9.2 refuses it;
# the user is told to use ed25519, not just "auth failed"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$HOME/.ssh/rsa_key"
cat "$HOME/.ssh/rsa_key.pub" >> "$RT/authorized_keys"
{ printf 'Host rsakey\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/rsa_key\n' "$RT_PORT2"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
ry hosts --probe --json rsakey
if [ "$(json "d['hosts'][0]['reachable']")" = True ]; then
	ok "# SKIP this libssh2 signs RSA with SHA-2: the RSA key was accepted"
else
	expect_json "d['hosts'][0]['error_kind'] == 'auth' and 'SHA-1' in d['hosts'][0]['error'] and 'ed25519' in d['hosts'][0]['error']" "a refused RSA key gets the SHA-1 explanation and the ed25519 advice"
fi

# one ProxyJump hop: reach cpubox's port through gpu2
cat >> "$HOME/.ssh/config.jump" <<CONF
Host viajump
	HostName 127.0.0.1
	Port $RT_PORTC
	ProxyJump gpu2
CONF
{ cat "$HOME/.ssh/config.jump"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
ry hosts --probe --json viajump
expect_json "d['hosts'][0]['reachable'] and d['hosts'][0]['gpu_host'] == False" "ProxyJump through one jump host"

# a stuck host (accepts TCP, never speaks SSH) times out without holding up
# the others
stuck_port=$(rt_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); time.sleep(30)' "$stuck_port" &
stuck_pid=$!
printf 'Host stuck\n\tHostName 127.0.0.1\n\tPort %s\n' "$stuck_port" > "$HOME/.ssh/config.stuck"
{ cat "$HOME/.ssh/config.stuck"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$stuck_port) 2>/dev/null && break; sleep 0.1; done
start=$(date +%s.%N)
ry hosts --probe --json --timeout 6 stuck gpu2
wall=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")
expect_json "d['hosts'][0]['error_kind'] == 'timeout' and d['hosts'][1]['reachable'] and d['hosts'][1]['probe_seconds'] < d['hosts'][0]['probe_seconds']" "a stuck host times out; the other host is not held up"
if python3 -c "import sys; sys.exit(0 if $wall < 7.5 else 1)"; then ok "the probe ends at the deadline (${wall}s)"; else fail "the probe ends at the deadline (${wall}s)"; fi

# sync connects to every host at once: runs on two stuck hosts cost one
# deadline, not two, and stay running
printf 'Host stuck2\n\tHostName 127.0.0.1\n\tPort %s\n' "$stuck_port" > "$HOME/.ssh/config.stuck2"
{ cat "$HOME/.ssh/config.stuck2"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
export RUNYARD_DB="$T_TMP/sync.db"
"$RUNYARD" run -e sync -- true >/dev/null 2>&1 # creates the workspace and the experiment
sqlite3 "$RUNYARD_DB" "INSERT INTO runs(uuid, experiment_id, name, status, source, host, remote_dir, started, created)
  SELECT 'stuck-run-' || h, (SELECT id FROM experiments WHERE name = 'sync'), 'on-' || h, 'running', 'ssh', h,
         '/nonexistent/runs/' || h, 1, 1 FROM (SELECT 'stuck' AS h UNION ALL SELECT 'stuck2');"
start=$(date +%s.%N)
ry sync --json --timeout 3
wall=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")
expect_rc 1 "sync with unreachable hosts says so"
expect_json "d['runs'] == 2 and d['unreachable'] == 2" "both runs are reported unreachable"
if python3 -c "import sys; sys.exit(0 if $wall < 5.5 else 1)"; then ok "two stuck hosts cost one deadline (${wall}s)"; else fail "two stuck hosts cost one deadline (${wall}s; 3 s each)"; fi
[ "$(sqlite3 "$RUNYARD_DB" "SELECT group_concat(status) FROM runs WHERE host LIKE 'stuck%'")" = "running,running" ] \
	&& ok "runs on unreachable hosts stay running" || fail "runs on unreachable hosts stay running"
kill "$stuck_pid" 2>/dev/null; wait "$stuck_pid" 2>/dev/null

# 20 aliases at once: about the time of the slowest, not the sum
for i in $(seq 1 20); do printf 'Host many%02d\n\tHostName 127.0.0.1\n\tPort %s\n' $i $RT_PORT8; done > "$HOME/.ssh/config.many"
{ cat "$HOME/.ssh/config.many"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
start=$(date +%s.%N)
ry hosts --probe --json $(seq -f 'many%02g' 1 20)
wall=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || python3 -c "print($(date +%s.%N) - $start)")
expect_json "len(d['hosts']) == 20 and all(h['reachable'] and len(h['gpus']) == 8 for h in d['hosts'])" "20 hosts probed"
sum=$(json "round(sum(h['probe_seconds'] for h in d['hosts']), 2)")
slowest=$(json "round(max(h['probe_seconds'] for h in d['hosts']), 2)")
echo "# 20 hosts: wall ${wall}s, slowest ${slowest}s, sum of per-host times ${sum}s"
if python3 -c "import sys; sys.exit(0 if $wall < max(2 * $slowest, 0.5 * $sum) else 1)"; then
	ok "20 hosts in about the time of the slowest (wall ${wall}s vs sum ${sum}s)"
else
	fail "20 hosts in about the time of the slowest (wall ${wall}s, slowest ${slowest}s, sum ${sum}s)"
fi

ry hosts --probe no-such-host
expect_rc 1 "an unknown host name is an error"
expect_err_has "no host named 'no-such-host'" "the error names the host"
ry hosts --bogus
expect_rc 2 "bad option is a usage error"
t_end
