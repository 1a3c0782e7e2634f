/*
 * Internal to core: the processes behind a tracked local run
 * (track/proc.c), used by the tracker (track.c).
 *
 * runyard forks a keeper and the keeper forks the command, so that the
 * keeper, not runyard, is the command's parent and learns how it ended.
 * While runyard lives the keeper only passes that news on.  If runyard dies
 * (its lifeline pipe ends without a goodbye), the keeper drains the
 * command's output into the run's log itself, so the command never writes
 * into a pipe nobody reads, and when the command ends it leaves the wait
 * status in the run's `exit` file, from which the next runyard start
 * settles the run.
 */
#ifndef RY_TRACK_INTERNAL_H
#define RY_TRACK_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "store/store.h"
#include "track/track.h"

/* After the command ends, how long grandchildren that inherited its output
 * may keep it open before the reader stops waiting for them. */
#define RY_TRACK__DRAIN_GRACE 1.0

/* One of the command's output streams: a pipe, or a pseudo-terminal when
 * runyard's own stream is a terminal (so the command sees a terminal:
 * progress bars, colours, line buffering). */
struct ry_track__chan {
	int rd;   /* runyard's end (pipe read end or pty master); -1 when none */
	int wr;   /* the command's end (write end or pty slave); -1 once handed over */
	bool pty;
};
#define RY_TRACK__CHAN_INIT { -1, -1, false }

/* Open a channel for output that runyard passes on to `like_fd`: a pty
 * with like_fd's window size when like_fd is a terminal, else a pipe.
 * Both ends are close-on-exec; the pty slave passes bytes unchanged (no
 * output processing).  0 or RY_ERROR. */
int ry_track__chan_open(struct ry_track__chan *c, int like_fd);
/* Copy like_fd's window size to the pty whose master is `master`. */
void ry_track__pty_resize(int master, int like_fd);
/* Close what is open; accepts a closed channel. */
void ry_track__chan_close(struct ry_track__chan *c);

/* What the command is started with. */
struct ry_track__spawn {
	char *const *argv;      /* looked up in PATH */
	const char *metrics;    /* $RUNYARD_METRICS */
	const char *artifacts;  /* $RUNYARD_ARTIFACTS */
	const char *uuid;       /* $RUNYARD_RUN_ID */
	int log_fd;             /* the run's log (O_APPEND), for the keeper alone */
	const char *exit_path;  /* where the keeper alone leaves the wait status */
	const char *keeper_path; /* the keeper's own file (ry_track__keeper_child) */
	const int *close_fds;   /* runyard's own fds the keeper must not hold */
	size_t nclose_fds;
};

struct ry_track__proc {
	pid_t keeper;
	pid_t child;     /* the command; also its process group */
	int events;      /* the keeper's news for runyard (poll it for input) */
	int lifeline;    /* runyard's end of the lifeline */
	int exec_errno;  /* non-zero: the command could not be started */
};

/* Start the keeper and, through it, the command with chans[0] as stdout
 * and chans[1] as stderr (their command ends are closed here, handed over).
 * Call with every signal runyard handles blocked: the keeper must not run
 * runyard's handlers.  On success *p is filled in; the caller must end with
 * ry_track__release.  RY_ERROR when no process could be started. */
int ry_track__start(struct ry_track__proc *p, const struct ry_track__spawn *s,
                    struct ry_track__chan chans[2]);

/* Read the keeper's news (call when p->events is readable): 1 when the
 * command has ended (*wstatus is its wait status), 0 when there is nothing
 * new, -1 when the keeper died without saying (the status is unknown). */
int ry_track__read_event(struct ry_track__proc *p, int *wstatus);

/* The run is settled in the workspace: say goodbye to the keeper (which
 * then leaves without touching the log) and reap it. */
void ry_track__release(struct ry_track__proc *p);

/* How the command ended, as the `exit` file a keeper leaves when it
 * finished alone says it: one line "exit CODE TIME" or "signal N TIME"
 * (TIME in Unix seconds). */
struct ry_track__end {
	bool signaled;  /* killed by signal `code` rather than exiting with it */
	int code;
	double ended;
};

/* Read an exit file; false when there is none or it is not one. */
bool ry_track__exit_read(const char *path, struct ry_track__end *e);

/* <run dir>/keeper, the keeper's own file: its "PID IDENTITY" line, written
 * by the keeper before the command starts, then a second line with the
 * command's pid and identity once it has.  The command's pid goes to *pid
 * (0 if not started) and its identity is returned (caller frees; NULL if
 * unknown). */
char *ry_track__keeper_child(const char *path, int *pid);

/* A run's status from how its command ended; *has_exit and *code are what
 * the run records, *shell what a shell would report ($?).  Static string. */
const char *ry_track__settle(const struct ry_track__end *e, bool interrupted, bool *has_exit, int *code,
                             int *shell);

/* Record the files left in the artifacts outbox `root` (below `rel`, "" for
 * all), then remove them: their content now lives in the workspace's
 * artifact store.  A file that cannot be stored stays in the outbox, said
 * on stderr unless quiet.  *count grows by the number recorded. */
void ry_track__record_artifacts(ry_store *st, int64_t run_id, const char *root, const char *rel,
                                int64_t *count, bool quiet);

/* This machine's host name, as local runs record it (caller frees). */
char *ry_track__host(void);

#endif
