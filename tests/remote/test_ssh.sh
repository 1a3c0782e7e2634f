#!/bin/bash
# Harness for tests/remote/test_ssh (C): a real sshd, an extra
# passphrase-protected key, then the test binary given as $1.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
rt_setup
ssh-keygen -q -t ed25519 -N 'correct horse' -C rt-enc -f "$HOME/.ssh/enc_key"
cat "$HOME/.ssh/enc_key.pub" >> "$RT/authorized_keys"
{ printf 'Host enckey\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/enc_key\n' "$RT_PORT2"; cat "$HOME/.ssh/config"; } > "$HOME/.ssh/config.new"
mv "$HOME/.ssh/config.new" "$HOME/.ssh/config"
chmod 777 "$RT_WORK"
export RT_WORK RT_PORT2
"$1"
