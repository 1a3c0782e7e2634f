/*
 * GPU leases on a host (internal to core/remote): what makes a GPU given
 * to one job at a time, whoever launches and however close together.
 *
 * nvidia-smi cannot tell: a job that has not touched its GPU yet shows no
 * process, and two launches a second apart both see the GPU free.  So a
 * launch takes a lease on the host itself before its job starts, and the
 * job gives it back when it ends.  A lease is a file named after the GPU's
 * uuid in the host's lease directory (one per machine, shared by every
 * user: default RY_LEASE_DEFAULT_DIR, `lease_dir` in a [host] section):
 *   line 1  RUN_UUID USER      written when the lease is taken
 *   line 2  PID PID_START      the job wrapper's, once it started
 * A lease is held while that wrapper lives, or for 120 seconds after it
 * was taken while no wrapper has stamped it yet (the
 * launch is still starting the job); otherwise it is stale and the next
 * taker takes it over, so a job killed with its watchdog, or a host that
 * rebooted, never holds a GPU for good.  Takers on one host go one at a
 * time under a lock directory, broken when older than 30 s.
 *
 * The wrapper stamps its leases once it has a pid and gives them back when
 * its whole process group is gone; its watchdog gives them back when the
 * wrapper was killed.  The shell text here is pasted into the probe, start
 * and wrapper scripts; a lease check is one read of /proc, no daemon.
 */
#ifndef RY_REMOTE_LEASE_H
#define RY_REMOTE_LEASE_H

#include "remote/jobscript.h"

#define RY_LEASE_DEFAULT_DIR "/var/tmp/runyard-leases"

/* Shell functions (POSIX sh), defined by pasting this text into a script:
 *   lease_alive FILE        status 0 when the lease in FILE is held
 *   lease_list DIR          "GPU_UUID RUN_UUID USER" per held lease
 *   lease_take DIR RUN GPU...  takes every GPU or none: status 5 and a line
 *                           "taken GPU_UUID RUN_UUID USER" per GPU held by
 *                           another; 6 and a message on stderr when the
 *                           directory cannot be used
 *   lease_stamp DIR RUN PID PID_START GPU...   the wrapper's line 2
 *   lease_give DIR RUN GPU...   removes the leases RUN holds */
#define RY_LEASE_SH RY_JOBSCRIPT_PID_ALIVE_SH \
	"lease_alive() {\n" \
	"  _run= _user= _pid= _ps=\n" \
	"  { read -r _run _user; read -r _pid _ps; } < \"$1\" 2>/dev/null\n" \
	"  [ -n \"$_run\" ] || return 1\n" \
	"  if [ -n \"$_pid\" ]; then\n" \
	"    pid_alive \"$_pid\" \"$_ps\"\n" \
	"  else\n" \
	"    [ $(( $(date +%s) - $(stat -c %Y \"$1\" 2>/dev/null || echo 0) )) -lt 120 ]\n" \
	"  fi\n" \
	"}\n" \
	"lease_list() {\n" \
	"  for _f in \"$1\"/GPU-*; do\n" \
	"    case $_f in *.tmp.*) continue;; esac\n" \
	"    [ -f \"$_f\" ] && lease_alive \"$_f\" && echo \"${_f##*/} $_run $_user\"\n" \
	"  done\n" \
	"  return 0\n" \
	"}\n" \
	"lease_take() {\n" \
	"  _L=$1 _R=$2; shift 2\n" \
	"  [ -d \"$_L\" ] || { mkdir -p \"$_L\" && chmod 0777 \"$_L\"; } 2>/dev/null\n" \
	"  [ -d \"$_L\" ] && [ -w \"$_L\" ] || { echo \"cannot write the GPU lease directory $_L (set lease_dir for this host)\" >&2; return 6; }\n" \
	"  _i=0\n" \
	"  until mkdir \"$_L/.lock\" 2>/dev/null; do\n" \
	"    if [ $(( $(date +%s) - $(stat -c %Y \"$_L/.lock\" 2>/dev/null || date +%s) )) -ge 30 ]; then\n" \
	"      rmdir \"$_L/.lock\" 2>/dev/null; continue\n" \
	"    fi\n" \
	"    _i=$((_i + 1)); [ $_i -ge 400 ] && { echo \"the GPU lease lock $_L/.lock stays held\" >&2; return 6; }\n" \
	"    sleep 0.05\n" \
	"  done\n" \
	"  _rc=0\n" \
	"  for _g; do\n" \
	"    if lease_alive \"$_L/$_g\" && [ \"$_run\" != \"$_R\" ]; then echo \"taken $_g $_run $_user\"; _rc=5; fi\n" \
	"  done\n" \
	"  if [ $_rc -eq 0 ]; then\n" \
	"    _u=$(id -un 2>/dev/null || echo \"${USER:-?}\")\n" \
	"    for _g; do\n" \
	"      echo \"$_R $_u\" > \"$_L/$_g.tmp.$$\" && chmod 0666 \"$_L/$_g.tmp.$$\" && mv -f \"$_L/$_g.tmp.$$\" \"$_L/$_g\" || _rc=6\n" \
	"    done\n" \
	"  fi\n" \
	"  rmdir \"$_L/.lock\" 2>/dev/null\n" \
	"  return $_rc\n" \
	"}\n" \
	"lease_stamp() {\n" \
	"  _L=$1 _R=$2 _P=$3 _S=$4; shift 4\n" \
	"  _u=$(id -un 2>/dev/null || echo \"${USER:-?}\")\n" \
	"  for _g; do\n" \
	"    printf '%s %s\\n%s %s\\n' \"$_R\" \"$_u\" \"$_P\" \"$_S\" > \"$_L/$_g.tmp.$$\" && mv -f \"$_L/$_g.tmp.$$\" \"$_L/$_g\"\n" \
	"  done\n" \
	"}\n" \
	"lease_give() {\n" \
	"  _L=$1 _R=$2; shift 2\n" \
	"  for _g; do\n" \
	"    _run=; read -r _run _ < \"$_L/$_g\" 2>/dev/null\n" \
	"    [ \"$_run\" = \"$_R\" ] && rm -f \"$_L/$_g\"\n" \
	"  done\n" \
	"  return 0\n" \
	"}\n"

#endif
