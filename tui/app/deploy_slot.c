/*
 * The app's deployment slot (deploy_slot.h).  Lives in the context as one
 * opaque pointer, made on first use: the request the user started (with
 * when, for the elapsed time on the message line), the refresh the
 * deployments pane asked for, and the text both left for `:messages`.
 * The work and all its wording of outside text is work/deploy.c's; the
 * pane is views/deploy.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/deploy_slot.h"
#include "app/tui.h"

struct tui_deploy_slot {
	struct tui_deploy *op;        /* the user's request, or NULL */
	double started;               /* ry_monotonic() when op started */
	char *log;                    /* owned: what the last request said, NULL none */
	struct tui_deploy *refresh;   /* the status refresh, or NULL */
	double refreshed_at;          /* when the last refresh ended, 0 never */
	char refresh_line[1024];
	char *refresh_log;            /* owned: the last refresh's warnings, NULL none */
};

static struct tui_deploy_slot *slot(struct tui_ctx *c)
{
	if (!c->deploying)
		c->deploying = ry_xcalloc(1, sizeof *c->deploying);
	return c->deploying;
}

bool tui_deploy_slot_start(struct tui_ctx *c, const struct tui_deploy_req *r)
{
	struct tui_deploy_slot *s = slot(c);
	char msg[256];
	if (s->op) {
		tui_error(c, "busy with %s; wait for it to finish", tui_deploy_label(s->op));
		return false;
	}
	if (ry_store_readonly(c->st)) {
		tui_error(c, "read-only workspace: deployments cannot be recorded in it");
		return false;
	}
	s->op = tui_deploy_start(ry_store_path(c->st), r, c->askpass, msg, sizeof msg);
	if (!s->op) {
		tui_error(c, "%s", msg);
		return false;
	}
	s->started = ry_monotonic();
	tui_msg(c, "%s ...", tui_deploy_label(s->op));
	return true;
}

void tui_deploy_slot_refresh(struct tui_ctx *c)
{
	struct tui_deploy_slot *s = slot(c);
	struct tui_deploy_req r = { TUI_DEPLOY_REFRESH, NULL, NULL, 0 };
	char msg[256];
	if (s->refresh || ry_store_readonly(c->st))
		return;
	s->refresh = tui_deploy_start(ry_store_path(c->st), &r, c->askpass, msg, sizeof msg);
	if (!s->refresh)
		snprintf(s->refresh_line, sizeof s->refresh_line, "status not refreshed: %s", msg);
}

bool tui_deploy_slot_refreshing(const struct tui_ctx *c)
{
	return c->deploying && c->deploying->refresh;
}

double tui_deploy_slot_refreshed_at(const struct tui_ctx *c)
{
	return c->deploying ? c->deploying->refreshed_at : 0;
}

const char *tui_deploy_slot_refresh_line(const struct tui_ctx *c)
{
	return c->deploying ? c->deploying->refresh_line : "";
}

/* A finished logs request: the log into :messages, and in a pager when the
 * user still looks at the deployments. */
static void logs_arrived(struct tui_ctx *c, struct tui_deploy_slot *s, const struct tui_deploy_state *st)
{
	const char *text = tui_deploy_text(s->op);
	char title[128];
	snprintf(title, sizeof title, "Log of deployment %lld", (long long)st->id);
	free(s->log);
	s->log = ry_xasprintf("%s:\n%s", title, text && *text ? text : "(empty)\n");
	if (c->views[c->nviews - 1]->ops == &tui_view_deployments) {
		struct tui_messages_arg a = { title, text && *text ? text : "(the log is empty)" };
		tui_view_push(c, &tui_view_messages, &a);
	} else {
		tui_msg(c, "%s arrived: :messages shows it", title);
	}
}

static int poll_op(struct tui_ctx *c, struct tui_deploy_slot *s)
{
	struct tui_deploy_state st;
	if (!s->op)
		return 0;
	if (!tui_deploy_poll(s->op, &st)) {
		/* An error someone has not read yet stays until the next key. */
		if (!c->msg_error)
			tui_msg(c, "%s%s%s  %.0fs", tui_deploy_label(s->op), st.progress[0] ? ": " : " ...", st.progress,
			        ry_monotonic() - s->started);
		return TUI_REDRAW;
	}
	if (st.rc == 0 && tui_deploy_what(s->op) == TUI_DEPLOY_LOGS) {
		logs_arrived(c, s, &st);
	} else {
		free(s->log);
		s->log = tui_deploy_messages(s->op);
		if (st.rc)
			tui_error(c, "%s", st.line);
		else
			tui_msg(c, "%s", st.line);
	}
	tui_deploy_free(s->op);
	s->op = NULL;
	return TUI_RELOAD;
}

static int poll_refresh(struct tui_ctx *c, struct tui_deploy_slot *s)
{
	struct tui_deploy_state st;
	(void)c;
	if (!s->refresh || !tui_deploy_poll(s->refresh, &st))
		return 0;
	snprintf(s->refresh_line, sizeof s->refresh_line, "%s", st.line);
	free(s->refresh_log);
	s->refresh_log = tui_deploy_messages(s->refresh);
	if (!*s->refresh_log) {
		free(s->refresh_log);
		s->refresh_log = NULL;
	}
	tui_deploy_free(s->refresh);
	s->refresh = NULL;
	s->refreshed_at = ry_monotonic();
	return TUI_REDRAW; /* a status that changed moved the data version: the app reloads */
}

int tui_deploy_slot_poll(struct tui_ctx *c)
{
	if (!c->deploying)
		return 0;
	return poll_op(c, c->deploying) | poll_refresh(c, c->deploying);
}

char *tui_deploy_slot_log(struct tui_ctx *c)
{
	struct tui_deploy_slot *s = c->deploying;
	char *live = NULL, *out;
	if (!s)
		return NULL;
	if (s->op)
		live = tui_deploy_messages(s->op);
	const char *req = live && *live ? live : s->log;
	if (!req && !s->refresh_log) {
		free(live);
		return NULL;
	}
	out = ry_xasprintf("%s%s%s", req ? req : "", req && s->refresh_log ? "\n" : "",
	                   s->refresh_log ? s->refresh_log : "");
	free(live);
	return out;
}

void tui_deploy_slot_close(struct tui_ctx *c)
{
	struct tui_deploy_slot *s = c->deploying;
	if (!s)
		return;
	tui_deploy_free(s->op);
	tui_deploy_free(s->refresh);
	free(s->log);
	free(s->refresh_log);
	free(s);
	c->deploying = NULL;
}
