/*
 * One remote operation (launch or cancel) running on a background thread
 * while the UI stays live.  The worker opens its own store, config, ssh
 * config and inventory (the store is not shared between threads), reports
 * progress into a mutex-guarded slot and never touches curses; the main
 * loop polls it (tui_job_poll) and draws.  Freeing sets the cancel flag and
 * joins, so nothing outlives the app.
 */
#ifndef TUI_JOB_H
#define TUI_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tui_job;
struct tui_askpass;

struct tui_launch_req {
	const char *experiment;  /* NULL: default */
	const char *command;     /* shell words (split like sh does) */
	const char *host;
	int ngpus;               /* -1: host default */
	double time_limit;       /* seconds, 0 none */
	const char *name;        /* NULL or "": generated */
};

/* Start a job (strings are copied).  An encrypted key's passphrase is
 * asked through askpass (NULL: such keys are skipped); it must outlive the
 * job.  NULL with msg filled if the thread cannot start. */
struct tui_job *tui_job_launch(const char *db_path, const struct tui_launch_req *r, struct tui_askpass *askpass,
                               char *msg, size_t n);
struct tui_job *tui_job_cancel_run(const char *db_path, int64_t run_id, struct tui_askpass *askpass, char *msg,
                                   size_t n);

/* Progress ("uploading 40%") and, once done, the result line.  Returns
 * true when the job is finished (*rc: 0 or an RY_E* code). */
bool tui_job_poll(struct tui_job *j, char *progress, size_t pn, char *result, size_t rn, int *rc);

/* What the job is doing, for messages: "launch" or "cancel". */
const char *tui_job_what(const struct tui_job *j);

/* Cancel if still running, join, free.  NULL ok. */
void tui_job_free(struct tui_job *j);

/* Split a command line into words the way sh would for plain words,
 * '...', "..." and backslashes (no expansions).  NULL-terminated array,
 * free with ry_strings_free(words, *n); NULL for an unterminated quote. */
char **tui_job_split_command(const char *s, size_t *n);

#endif
