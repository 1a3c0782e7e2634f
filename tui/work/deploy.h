/*
 * Deployments from the full-screen app on a thread of their own: a deploy
 * (which copies an artifact over SSH or POSTs to a service, then polls a
 * health or status URL: seconds), an undeploy, a deployment's log, or a
 * refresh of every live deployment's status.  The worker opens its own
 * store connection and runs core/deploy/deploy.h; the plugin's log lines
 * go into a mutex-guarded slot the main loop polls, and an encrypted key's
 * passphrase is asked through the app's broker (askpass.h).  It never
 * draws and decides nothing about what is shown.
 */
#ifndef TUI_WORK_DEPLOY_H
#define TUI_WORK_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tui_deploy;
struct tui_askpass;

enum tui_deploy_op {
	TUI_DEPLOY_DEPLOY,   /* spec to target */
	TUI_DEPLOY_UNDEPLOY, /* deployment id */
	TUI_DEPLOY_LOGS,     /* deployment id's log */
	TUI_DEPLOY_REFRESH,  /* every deployment not stopped */
};

struct tui_deploy_req {
	enum tui_deploy_op op;
	const char *spec;    /* deploy: NAME@ALIAS or NAME@VERSION */
	const char *target;  /* deploy: the [target NAME] */
	int64_t id;          /* undeploy, logs */
};

/* Start (strings are copied).  askpass may be NULL (such keys are then
 * skipped) and must outlive the work.  NULL with msg filled if the thread
 * cannot start. */
struct tui_deploy *tui_deploy_start(const char *db_path, const struct tui_deploy_req *r,
                                    struct tui_askpass *askpass, char *msg, size_t n);

struct tui_deploy_state {
	bool done;           /* finished: rc, id and line are final */
	int rc;              /* once done: 0 or an RY_E* code */
	int64_t id;          /* the deployment (a deploy: once recorded; 0 before) */
	char progress[256];  /* the plugin's last progress line, "" none; sanitised */
	char line[1024];     /* once done: the outcome in one line; sanitised */
};

/* Copy the state into *out; returns out->done. */
bool tui_deploy_poll(struct tui_deploy *d, struct tui_deploy_state *out);

/* Everything the work said (the plugin's log lines, a refresh's warnings,
 * the whole error), sanitised, one message a line.  Caller frees. */
char *tui_deploy_messages(struct tui_deploy *d);

/* A finished logs request's text, sanitised (newlines kept); NULL while it
 * runs, for other work, or when it failed.  Lent until tui_deploy_free. */
const char *tui_deploy_text(struct tui_deploy *d);

/* What it does, as the user would say it: "deploy churn@champion to prod",
 * "undeploy 3", "logs of deployment 3", "refresh"; sanitised, lent. */
const char *tui_deploy_label(const struct tui_deploy *d);
enum tui_deploy_op tui_deploy_what(const struct tui_deploy *d);

/* Join and free (a passphrase question still waiting is withdrawn; a
 * plugin call still running is waited for, at most its timeout).  NULL ok. */
void tui_deploy_free(struct tui_deploy *d);

#endif
