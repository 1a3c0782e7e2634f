# Shared by the tests of plugins (tests/cli/test_plugins.sh, tests/tui/test_import.sh):
# writing small exec plugins, and a PyTorch Lightning CSVLogger save_dir in
# the exact format Lightning writes.  Source it; it defines functions only.

# write_plugin BIN TMP NAME BODY [KINDS]: BIN/runyard-plugin-NAME answers
# hello as KINDS (a JSON list's items; default "tracker"), then runs BODY
# (Python, with send(), req and rid in scope) for each request; it records
# its pid in TMP/pid-NAME.
write_plugin() {
	local kinds=${5:-'"tracker"'}
	cat >"$1/runyard-plugin-$3" <<EOF
#!/usr/bin/env python3
import json, os, sys, time
def send(m):
    sys.stdout.write(json.dumps(m) + "\n"); sys.stdout.flush()
open(os.path.join("$2", "pid-$3"), "w").write(str(os.getpid()))
for line in sys.stdin:
    req = json.loads(line)
    if req.get("op") == "hello":
        send({"protocol": 1, "kinds": [$kinds], "name": "$3"}); continue
    rid = req["id"]
$(echo "$4" | sed 's/^/    /')
EOF
	chmod +x "$1/runyard-plugin-$3"
}

# lightning_logs SAVE_DIR: SAVE_DIR/lightning_logs/version_0 and version_1 as
# CSVLogger writes them: csv.DictWriter (CRLF line ends) over the sorted keys,
# an empty cell where a key was not logged on that row; hparams.yaml from
# yaml.dump.  version_0 has 14 points (a nan among them), version_1 two.
lightning_logs() {
	local ll="$1/lightning_logs"
	mkdir -p "$ll/version_0" "$ll/version_1"
	printf 'epoch,step,train_loss,val_acc,val_loss\r\n0,49,0.6931471805599453,,\r\n0,99,0.5123,,\r\n0,99,,0.71,0.55\r\n1,149,0.41,,\r\n1,199,0.35,,\r\n1,199,,0.8,nan\r\n' >"$ll/version_0/metrics.csv"
	printf "batch_size: 32\nlr: 0.001\nmodel_name: resnet18\noptimizer: adam\nseed: '0042'\n" >"$ll/version_0/hparams.yaml"
	printf 'epoch,step,train_loss\r\n0,0,1.5\r\n' >"$ll/version_1/metrics.csv"
	printf '{}\n' >"$ll/version_1/hparams.yaml"
}
