/*
 * The app's side of deployments (work/deploy.h): one deploy, undeploy or
 * log request at a time, started by the registry screens and kept here so
 * it goes on when the user leaves them; its progress and outcome on the
 * message line, what it said kept for `:messages`; and the background
 * status refresh the deployments pane asks for.  Nothing here waits on a
 * worker except the tear-down.  Handlers here never draw.
 */
#ifndef TUI_DEPLOY_SLOT_H
#define TUI_DEPLOY_SLOT_H

#include <stdbool.h>

#include "work/deploy.h"

struct tui_ctx;

/* Start a deploy, undeploy or logs request; false with the reason on the
 * message line when one is already running or it cannot start. */
bool tui_deploy_slot_start(struct tui_ctx *c, const struct tui_deploy_req *r);

/* Start a status refresh of every live deployment unless one runs. */
void tui_deploy_slot_refresh(struct tui_ctx *c);

/* The refresh: running now, and when the last one ended (ry_monotonic(),
 * 0 never) with its outcome line ("" none; lent until the next one). */
bool tui_deploy_slot_refreshing(const struct tui_ctx *c);
double tui_deploy_slot_refreshed_at(const struct tui_ctx *c);
const char *tui_deploy_slot_refresh_line(const struct tui_ctx *c);

/* Each poll tick: progress, then the outcome (and a reload: the worker
 * wrote to the store).  Returns reaction bits. */
int tui_deploy_slot_poll(struct tui_ctx *c);

/* What the deployments said, for `:messages`: the last request's log and
 * the last refresh's warnings; NULL when nothing.  Caller frees. */
char *tui_deploy_slot_log(struct tui_ctx *c);

/* Wait for work still running and free everything (the app's tear-down). */
void tui_deploy_slot_close(struct tui_ctx *c);

#endif
