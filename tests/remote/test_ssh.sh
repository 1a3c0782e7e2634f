#!/bin/bash
# Harness for tests/remote/test_ssh (C): a real sshd, an extra
# passphrase-protected key, a second (ECDSA) host key and known_hosts files
# for the host-key tests, then the test binary given as $1.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
ssh-keygen -q -t ed25519 -N 'correct horse' -C rt-enc -f "$HOME/.ssh/enc_key"
cat "$HOME/.ssh/enc_key.pub" >> "$RT/authorized_keys"
{ printf 'Host enckey\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/enc_key\n' "$RT_PORT2"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
# The sshd also offers an ECDSA host key (HostKey lines must come before
# the Match blocks), so a host known only by that key can be tested.
ssh-keygen -q -t ecdsa -b 256 -N '' -C rt-host-ecdsa -f "$RT/hostkey_ecdsa"
chmod 600 "$RT/hostkey_ecdsa"
sed -i "s|^HostKey $RT/hostkey\$|&\nHostKey $RT/hostkey_ecdsa|" "$RT/sshd_config"
rt_stop
rt_start
kh_line=$(grep -F "[127.0.0.1]:$RT_PORT2 " "$HOME/.ssh/known_hosts")
kh_key=${kh_line#* }
# the key is right, and a later line revokes it
{ echo "$kh_line"; echo "@revoked * $kh_key"; } > "$RT/kh_revoked"
# a short host field, as for a host named g1: "*" is one character
echo "* $kh_key" > "$RT/kh_short"
# only the host's ECDSA key is known
for _ in 1 2 3 4 5 6; do
	k=$(ssh-keyscan -T 10 -t ecdsa -p "$RT_PORT2" 127.0.0.1 2>/dev/null)
	[ -n "$k" ] && break
done
[ -n "$k" ] || { echo "Bail out! ssh-keyscan got no ECDSA key"; exit 1; }
echo "$k" > "$RT/kh_ecdsa"
# An agent holding 7 keys the host does not accept (sshd's MaxAuthTries
# is 6), for the IdentitiesOnly tests; the C test sets SSH_AUTH_SOCK only
# around them.
ssh-agent -D -a "$RT/agent.sock" >/dev/null 2>&1 &
AGENT_PID=$!
trap 'kill $AGENT_PID 2>/dev/null; rt_reap; rt_stop; rm -rf "$T_TMP"' EXIT
for _ in $(seq 1 100); do [ -S "$RT/agent.sock" ] && break; sleep 0.05; done
[ -S "$RT/agent.sock" ] || { echo "Bail out! ssh-agent did not start"; exit 1; }
for i in 1 2 3 4 5 6 7; do
	ssh-keygen -q -t ed25519 -N '' -C "rt-agent-$i" -f "$RT/agent_key$i"
	SSH_AUTH_SOCK=$RT/agent.sock ssh-add -q "$RT/agent_key$i" 2>/dev/null ||
		{ echo "Bail out! ssh-add failed"; exit 1; }
done
{ printf 'Host onlyid\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/id_ed25519\n\tIdentitiesOnly yes\n' "$RT_PORT2"
  printf 'Host firstid\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/id_ed25519\n' "$RT_PORT2"
  cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
# A user whose login shell is tcsh, when tcsh is installed (apt-get install
# tcsh): every remote command must still run under sh.
RT_TCSH_USER=
if command -v tcsh >/dev/null; then
	RT_TCSH_USER=runyardtcsh
	id "$RT_TCSH_USER" >/dev/null 2>&1 || useradd -m -p '*' -s "$(command -v tcsh)" "$RT_TCSH_USER" 2>/dev/null ||
		RT_TCSH_USER=
fi
if [ -n "$RT_TCSH_USER" ]; then
	sed -i "s|^AllowUsers .*|& $RT_TCSH_USER|" "$RT/sshd_config"
	rt_stop
	rt_start
	{ printf 'Host tcshbox\n\tHostName 127.0.0.1\n\tPort %s\n\tUser %s\n' "$RT_PORT2" "$RT_TCSH_USER"
	  cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
	mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
fi
chmod 777 "$RT_WORK"
export RT RT_WORK RT_PORT2 RT_TCSH_USER
"$1"
