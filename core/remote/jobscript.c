/*
 * The shell a remote job's host runs (jobscript.h has the run directory's
 * contract).  The job wrapper runs the command in a process group of its
 * own and writes its files; a watchdog in a session of its own enforces
 * the time limit and, because it outlives the group, records when the host
 * saw a job end that was killed with its wrapper.  A job ends when its
 * whole group is gone: what the command leaves behind (a worker that
 * outlives it, a child that ignores TERM) is stopped before exit_code is
 * written, and cancel checks the group is gone rather than trusting a
 * signal.
 *
 * The scripts are POSIX sh and use only coreutils and /proc; they never
 * take values spliced into their text except the wrapper's, each
 * shell-quoted.  Starting, reading and signalling them is launch.c's job.
 */
#include "remote/jobscript.h"
#include "remote/lease.h"
#include "base/buf.h"
#include "base/shell.h"

#include <math.h>

/* members G X: the live (not zombie) processes of group G, leaving out X
 * and X's children: a script looking at its own group leaves out itself
 * and the subshells and sleeps it forks.  From /proc/PID/stat, whose
 * fields after the command name are state, ppid, pgrp. */
#define MEMBERS_FN \
	"members() {\n" \
	"  _g=$1 _x=$2\n" \
	"  for _f in /proc/[0-9]*/stat; do\n" \
	"    read -r _l < \"$_f\" 2>/dev/null || continue\n" \
	"    _p=${_f#/proc/}; _p=${_p%/stat}\n" \
	"    set -f; set -- ${_l##*) }; set +f\n" \
	"    if [ \"$3\" = \"$_g\" ] && [ \"$1\" != Z ] && [ \"$_p\" != \"$_x\" ] && [ \"$2\" != \"$_x\" ]; then\n" \
	"      printf '%s ' \"$_p\"\n" \
	"    fi\n" \
	"  done\n" \
	"}\n"

/* put F VALUE: write a contract file atomically. */
#define PUT_FN "put() { echo \"$2\" > \"$D/$1.tmp\" && mv -f \"$D/$1.tmp\" \"$D/$1\"; }\n"

/* $1 run dir, $2 the wrapper's pid, $3 the time limit in seconds (0 none),
 * $4 the lease dir, $5 the run uuid, then its GPU uuids.  Heartbeat every
 * 10 s; at the limit TERM the group, give it 10 s to end (training scripts
 * save a checkpoint on TERM), then KILL it and write the end the wrapper,
 * killed too, cannot; and give back the leases of a wrapper that died. */
static const char watchdog_script[] =
	"D=$1 W=$2 LIMIT=$3 LD=$4 RUN=$5; shift 5\n"
	PUT_FN MEMBERS_FN RY_LEASE_SH
	"start=$(date +%s) n=0\n"
	"while [ ! -e \"$D/exit_code\" ]; do\n"
	"  now=$(date +%s)\n"
	"  [ $((n % 10)) -eq 0 ] && echo \"$now\" > \"$D/heartbeat\"\n"
	"  if ! pid_alive \"$W\" \"$(cat \"$D/pid_start\" 2>/dev/null)\"; then\n"
	"    [ -e \"$D/exit_code\" ] || [ -e \"$D/ended\" ] || put ended \"$(date +%s.%N)\"\n"
	"    lease_give \"$LD\" \"$RUN\" \"$@\"\n"
	"    exit 0\n"
	"  fi\n"
	"  if [ \"$LIMIT\" -gt 0 ] && [ $((now - start)) -ge \"$LIMIT\" ]; then\n"
	"    echo 'time limit' > \"$D/reason\"\n"
	"    kill -TERM -\"$W\" 2>/dev/null\n"
	"    i=0\n"
	"    while [ $i -lt 100 ] && [ ! -e \"$D/exit_code\" ]; do sleep 0.1; i=$((i + 1)); done\n"
	"    if [ ! -e \"$D/exit_code\" ]; then\n"
	"      kill -KILL -\"$W\" 2>/dev/null\n"
	"      [ -e \"$D/ended\" ] || put ended \"$(date +%s.%N)\"\n"
	"      put exit_code 137\n"
	"      lease_give \"$LD\" \"$RUN\" \"$@\"\n"
	"    fi\n"
	"    exit 0\n"
	"  fi\n"
	"  n=$((n + 1))\n"
	"  sleep 1\n"
	"done\n";

char *ry_jobscript_wrapper(const ry_jobscript_job *job)
{
	const char *dir = job->dir, *subdir = job->subdir, *uuid = job->uuid, *gpus = job->gpus;
	double limit = job->limit;
	char *const *argv = job->argv;
	ry_buf b = RY_BUF_INIT;
	ry_buf_puts(&b, "#!/bin/sh\n# runyard job wrapper (see runyard's core/remote/jobscript.h for the files it writes)\nD=");
	ry_shell_quote(&b, dir);
	ry_buf_printf(&b, "\nLIMIT=%lld\nSUB=", (long long)ceil(limit > 0 ? limit : 0));
	ry_shell_quote(&b, subdir ? subdir : "");
	ry_buf_puts(&b, "\nRUN=");
	ry_shell_quote(&b, uuid);
	ry_buf_puts(&b, "\nLD=");
	ry_shell_quote(&b, job->lease_dir ? job->lease_dir : RY_LEASE_DEFAULT_DIR);
	ry_buf_puts(&b, "\nset --");
	for (size_t i = 0; job->gpu_uuids && job->gpu_uuids[i]; i++) {
		ry_buf_putc(&b, ' ');
		ry_shell_quote(&b, job->gpu_uuids[i]);
	}
	ry_buf_puts(&b, "\nWATCHDOG=");
	ry_shell_quote(&b, watchdog_script);
	ry_buf_puts(&b, "\n" PUT_FN MEMBERS_FN RY_LEASE_SH
	                "cd \"$D/code/$SUB\" 2>/dev/null || cd \"$D/code\" || { put exit_code 127; exit 127; }\n"
	                "# pid_start first: a pid is what says the job started, and whoever\n"
	                "# reads it checks it against pid_start\n"
	                "put pid_start \"$(cut -d' ' -f22 /proc/$$/stat 2>/dev/null)\"\n"
	                "put pid $$\n"
	                "lease_stamp \"$LD\" \"$RUN\" $$ \"$(cat \"$D/pid_start\" 2>/dev/null)\" \"$@\"\n"
	                "# cancelled before it started (jobscript.h: cancel)\n"
	                "if [ -e \"$D/cancel\" ]; then\n"
	                "  lease_give \"$LD\" \"$RUN\" \"$@\"; put ended \"$(date +%s.%N)\"; put exit_code 143; exit 0\n"
	                "fi\n");
	if (gpus) {
		/* PCI bus order, the order nvidia-smi printed when runyard chose
		 * these GPUs: CUDA's default (fastest first) can name others. */
		ry_buf_puts(&b, "CUDA_VISIBLE_DEVICES=");
		ry_shell_quote(&b, gpus);
		ry_buf_puts(&b, "; CUDA_DEVICE_ORDER=PCI_BUS_ID; export CUDA_VISIBLE_DEVICES CUDA_DEVICE_ORDER\n");
	}
	/* The same names a local `runyard run` sets (core/track/proc.c):
	 * RUNYARD_RUN_ID, with RUNYARD_RUN_UUID kept for jobs written against
	 * the remote name. */
	ry_buf_puts(&b, "RUNYARD_RUN_ID=");
	ry_shell_quote(&b, uuid);
	ry_buf_puts(&b, "; RUNYARD_RUN_UUID=$RUNYARD_RUN_ID\n"
	                "RUNYARD_METRICS=\"$D/metrics.jsonl\"; RUNYARD_ARTIFACTS=\"$D/artifacts\"; PYTHONUNBUFFERED=1\n"
	                "export RUNYARD_RUN_ID RUNYARD_RUN_UUID RUNYARD_METRICS RUNYARD_ARTIFACTS PYTHONUNBUFFERED\n"
	                "mkdir -p \"$RUNYARD_ARTIFACTS\"; : >> \"$RUNYARD_METRICS\"; : >> \"$D/log\"\n"
	                "put started \"$(date +%s.%N)\"\n"
	                "setsid sh -c \"$WATCHDOG\" watchdog \"$D\" $$ \"$LIMIT\" \"$LD\" \"$RUN\" \"$@\" </dev/null >/dev/null 2>&1 &\n"
	                "trap 'true' TERM\n");
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			ry_buf_putc(&b, ' ');
		ry_shell_quote(&b, argv[i]);
	}
	ry_buf_puts(&b, " </dev/null >> \"$D/log\" 2>&1 &\n"
	                "child=$!\n"
	                "while :; do\n"
	                "  wait \"$child\"; rc=$?\n"
	                "  kill -0 \"$child\" 2>/dev/null || break\n"
	                "done\n"
	                "put ended \"$(date +%s.%N)\"\n"
	                "# what the command left in its group ends with it: TERM, 5 s, KILL\n"
	                "left=$(members $$ $$)\n"
	                "if [ -n \"$left\" ]; then\n"
	                "  kill -TERM $left 2>/dev/null\n"
	                "  i=0\n"
	                "  while [ $i -lt 50 ] && [ -n \"$(members $$ $$)\" ]; do sleep 0.1; i=$((i + 1)); done\n"
	                "  left=$(members $$ $$)\n"
	                "  [ -n \"$left\" ] && kill -KILL $left 2>/dev/null\n"
	                "fi\n"
	                "lease_give \"$LD\" \"$RUN\" \"$@\"\n"
	                "put exit_code \"$rc\"\n");
	return ry_buf_detach(&b);
}

const char ry_jobscript_prepare[] =
	"W=$1; case $W in '~') W=$HOME;; '~/'*) W=$HOME/${W#\\~/};; esac\n"
	"mkdir -p \"$W/packs\" \"$W/runs/$2\" || exit 3\n"
	"cd \"$W\" && pwd -P || exit 3\n"
	"[ -s \"packs/$3.tar\" ] && echo have\n"
	"command -v setsid >/dev/null 2>&1 || echo nosetsid\n"
	"exit 0\n";

const char ry_jobscript_start[] =
	"D=$1; P=$2; LD=$3; RUN=$4; shift 4\n"
	RY_LEASE_SH
	RY_JOBSCRIPT_UNPACK_SH
	"if [ $# -gt 0 ]; then lease_take \"$LD\" \"$RUN\" \"$@\" || exit $?; fi\n"
	"setsid nohup sh \"$D/run.sh\" </dev/null >/dev/null 2>&1 &\n"
	"i=0\n"
	"while [ ! -s \"$D/pid\" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done\n"
	"cat \"$D/pid\" 2>/dev/null\n";

const char ry_jobscript_status[] =
	"D=$1\n"
	RY_JOBSCRIPT_PID_ALIVE_SH
	"[ -d \"$D\" ] || { echo missing; exit 0; }\n"
	/* alive before exit_code: the wrapper writes exit_code, then ends, so
	 * one seen gone has written it by the time it is read; the other order
	 * finds neither when the job ends in between, and calls it lost */
	"if [ -s \"$D/pid\" ]; then\n"
	"  echo pid\n"
	"  pid_alive \"$(cat \"$D/pid\")\" \"$(cat \"$D/pid_start\" 2>/dev/null)\" && echo alive\n"
	"fi\n"
	"if [ -e \"$D/exit_code\" ]; then\n"
	"  echo \"exit $(cat \"$D/exit_code\")\"\n"
	"  [ -e \"$D/ended\" ] || echo \"ended $(stat -c %Y \"$D/exit_code\")\"\n"
	"fi\n"
	"[ -e \"$D/ended\" ] && echo \"ended $(cat \"$D/ended\")\"\n"
	"[ -e \"$D/started\" ] && echo \"started $(cat \"$D/started\")\"\n"
	"[ -e \"$D/reason\" ] && echo \"reason $(head -c 64 \"$D/reason\")\"\n"
	"[ -e \"$D/heartbeat\" ] && echo \"heartbeat $(cat \"$D/heartbeat\")\"\n"
	"[ -e \"$D/run.sh\" ] && echo \"script_age $(( $(date +%s) - $(stat -c %Y \"$D/run.sh\") ))\"\n"
	"echo end\n";

const char ry_jobscript_cancel[] =
	"D=$1\n"
	PUT_FN MEMBERS_FN
	"[ -e \"$D/exit_code\" ] && exit 0\n"
	"p=$(cat \"$D/pid\" 2>/dev/null)\n"
	"if [ -z \"$p\" ]; then\n"
	"  # not started: the wrapper reads this after writing its pid, and here\n"
	"  # the pid is read again after writing it, so one of them sees the other\n"
	"  : > \"$D/cancel\"\n"
	"  p=$(cat \"$D/pid\" 2>/dev/null)\n"
	"  [ -z \"$p\" ] && { echo cancelled > \"$D/reason\"; echo notstarted; exit 0; }\n"
	"fi\n"
	"case $p in *[!0-9]*) echo 'the pid file is damaged' >&2; exit 3;; esac\n"
	"echo cancelled > \"$D/reason\"\n"
	"kill -TERM -\"$p\" 2>/dev/null\n"
	"i=0\n"
	"while [ $i -lt 100 ] && [ -n \"$(members \"$p\" -)\" ]; do sleep 0.1; i=$((i + 1)); done\n"
	"if [ -n \"$(members \"$p\" -)\" ]; then\n"
	"  kill -KILL -\"$p\" 2>/dev/null\n"
	"  i=0\n"
	"  while [ $i -lt 50 ] && [ -n \"$(members \"$p\" -)\" ]; do sleep 0.1; i=$((i + 1)); done\n"
	"  [ -e \"$D/ended\" ] || put ended \"$(date +%s.%N)\"\n"
	"  [ -e \"$D/exit_code\" ] || put exit_code 137\n"
	"  left=$(members \"$p\" -)\n"
	"  [ -n \"$left\" ] && { echo \"processes $left of the job survived SIGKILL\" >&2; exit 4; }\n"
	"fi\n"
	"exit 0\n";

const char ry_jobscript_artifacts[] =
	"cd \"$1/artifacts\" 2>/dev/null || exit 0\n"
	"find . -type f | while IFS= read -r f; do\n"
	"  s=$(sha256sum \"$f\" 2>/dev/null | cut -d' ' -f1)\n"
	"  [ -n \"$s\" ] && printf '%s %s %s\\n' \"$s\" \"$(wc -c < \"$f\" | tr -d ' ')\" \"${f#./}\"\n"
	"done\n";
