/*
 * The hosts screen (`H`): every host of the inventory with its live probe —
 * reachable or why not, each GPU with a memory bar, utilisation and who is
 * on it, free GPUs, CPUs and load, free memory and disk, price.
 *
 * Probing is slow (network, up to a timeout per host), so it runs as a
 * background job (work/job.h) over a private copy of the inventory; the
 * tick picks the probed hosts up and draws.  Leaving the screen frees the
 * job, which sets its cancel flag (the SSH layer checks it at least every
 * 100 ms) and joins, so nothing outlives the view.
 *
 * A cursor (the list widget's) is on one host: `L` opens the launch dialog
 * with that host chosen (views/launch.c launches; this screen does not),
 * `p` probes that host alone and puts its answer in place, `r` probes them
 * all.  The page scrolls by lines to keep the cursor's host in view.
 *
 * An encrypted key without an agent is asked for through the app's
 * passphrase broker (askpass.h); since the passphrase is never kept, a
 * probe that had to ask turns the 30 s auto-refresh off until `r`, so
 * the user is not asked every half minute.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work/job.h"
#include "app/draw.h"
#include "text/present.h"
#include "text/text.h"
#include "app/tui.h"

#define HOSTS_AUTO_REFRESH 30.0 /* seconds between probes while the screen is open */
#define HOSTS_TIMEOUT_MS 10000

struct hosts_priv {
	ry_inventory *inv;       /* its ssh config outlives every job (freed after the join) */
	struct tui_job *job;     /* the probe running, or NULL */
	bool running;            /* job is not NULL */
	double started, finished;/* monotonic */
	ry_host *shown;          /* the last complete probe (main thread only) */
	size_t nshown;
	char *error;             /* inventory error, if any */
	struct tui_list list;    /* the cursor over shown[] */
	int top;                 /* the first line drawn */
	int *first;              /* line where each shown host starts, from the last draw */
	size_t nfirst;
	int nlines;              /* lines of the last draw */
	int page;                /* hosts that fitted on the last draw (page moves) */
	int body_y;              /* screen row of line `top` (clicks) */
	char *one;               /* the probe running is of this host alone (else NULL) */
	char *experiment, *command; /* what "launch here" starts from, or NULL */
	unsigned spin;
	bool asked;              /* the last probe asked for a passphrase: no auto-refresh */
	ry_queue_item *queue;    /* the runs waiting for GPUs (queue.h), read with each probe */
	size_t nqueue;
};

/* The queue as the workspace has it now. */
static void load_queue(struct tui_ctx *c, struct hosts_priv *p)
{
	ry_queue_items_free(p->queue, p->nqueue);
	p->queue = NULL;
	p->nqueue = 0;
	if (ry_queue_list(c->st, &p->queue, &p->nqueue))
		ry_error_clear(); /* an unreadable queue shows as none; the CLI says why */
}

/* Probe every host, or (one) only the host of that name. */
static void start_probe(struct tui_ctx *c, struct hosts_priv *p, const char *one)
{
	ry_host *hosts = NULL;
	size_t n = 0;
	if (p->running)
		return;
	if (ry_inventory_list(p->inv, c->st, &hosts, &n)) {
		free(p->error);
		p->error = ry_xstrdup(ry_error_last());
		p->finished = ry_monotonic();
		return;
	}
	free(p->one);
	p->one = NULL;
	if (one) {
		ry_host *h = ry_hosts_find(hosts, n, one);
		ry_host *copy = h ? ry_host_copy(h) : NULL; /* an array of one (hosts.h) */
		ry_hosts_free(hosts, n);
		if (!copy) {
			tui_error(c, "host %s is no longer in the inventory; r probes every host", one);
			return;
		}
		hosts = copy;
		n = 1;
		p->one = ry_xstrdup(one);
	}
	char msg[128];
	p->started = ry_monotonic();
	p->job = tui_job_probe(hosts, n, ry_inventory_sshconfig(p->inv), HOSTS_TIMEOUT_MS, c->askpass, msg, sizeof msg);
	if (!p->job) {
		free(p->error);
		p->error = ry_xstrdup(msg);
		p->finished = p->started;
		return;
	}
	p->running = true;
}

/* Take a finished probe's result; true if one was taken. */
static bool collect(struct tui_ctx *c, struct hosts_priv *p)
{
	ry_host *hosts;
	size_t n;
	bool asked;
	if (!p->running || !tui_job_probe_take(p->job, &hosts, &n, &asked))
		return false;
	tui_job_free(p->job);
	p->job = NULL;
	p->running = false;
	/* the cursor stays on its host, wherever the new list puts it */
	char *at = p->list.cur < p->nshown ? ry_xstrdup(p->shown[p->list.cur].name) : NULL;
	ry_host *old = p->one && n == 1 ? ry_hosts_find(p->shown, p->nshown, hosts[0].name) : NULL;
	if (old) {
		/* one host probed: its answer in its place, the others as they were */
		ry_host fresh = hosts[0];
		char status[256];
		hosts[0] = *old;
		*old = fresh;
		ry_hosts_free(hosts, n);
		tui_present_host_status(status, sizeof status, old);
		tui_msg(c, "probed %s: %s", old->name, status);
	} else {
		ry_hosts_free(p->shown, p->nshown);
		p->shown = hosts;
		p->nshown = n;
		for (size_t i = 0; at && i < n; i++)
			if (!strcmp(hosts[i].name, at))
				tui_list_set(&p->list, i);
	}
	free(at);
	load_queue(c, p);
	p->finished = ry_monotonic();
	p->asked = asked;
	free(p->error);
	p->error = NULL;
	return true;
}

static int hosts_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_hosts_arg *a = arg;
	struct hosts_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	tui_list_init(&p->list, false);
	p->experiment = a && a->experiment ? ry_xstrdup(a->experiment) : NULL;
	p->command = a && a->command ? ry_xstrdup(a->command) : NULL;
	if (ry_inventory_open(&p->inv, c->st, c->cfg)) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	load_queue(c, p);
	start_probe(c, p, NULL);
	return 0;
}

static void hosts_done(struct tui_view *v, struct tui_ctx *c)
{
	struct hosts_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	tui_job_free(p->job); /* cancels a probe still running and waits for it */
	ry_hosts_free(p->shown, p->nshown);
	ry_queue_items_free(p->queue, p->nqueue);
	ry_inventory_free(p->inv);
	free(p->error);
	free(p->first);
	free(p->one);
	free(p->experiment);
	free(p->command);
	free(p);
}

static int hosts_tick(struct tui_view *v, struct tui_ctx *c)
{
	struct hosts_priv *p = v->priv;
	if (collect(c, p))
		return TUI_REDRAW;
	if (p->running) {
		p->spin++;
		return TUI_REDRAW; /* the spinner and elapsed time */
	}
	if (!p->asked && ry_monotonic() - p->finished >= HOSTS_AUTO_REFRESH) {
		start_probe(c, p, NULL);
		return TUI_REDRAW;
	}
	return 0;
}

/* Lines are produced by one function for both counting and drawing, so
 * scrolling can never disagree with what is drawn. */
struct line_sink {
	struct tui_ctx *c;
	int y, h, top, line; /* draw lines [top, top+h) at y; h 0: count only */
	int cursor;          /* the line in the cursor's colour, or -1 */
};

static void put(struct line_sink *s, int x, const char *text, enum tui_color e)
{
	int row = s->line - s->top;
	if (row >= 0 && row < s->h && x < s->c->cols) {
		if (s->line == s->cursor) {
			tui_draw_fill(s->c, s->y + row, 0, s->c->cols, TUI_COLOR_CURSOR);
			e = TUI_COLOR_CURSOR;
		}
		tui_draw_str(s->c, s->y + row, x, s->c->cols - x, text, e);
	}
}

static void next_line(struct line_sink *s)
{
	s->line++;
}

static void gpu_line(struct line_sink *s, const ry_gpu *g)
{
	struct tui_ctx *c = s->c;
	char buf[256], bar[128], name[64];
	int x = 4, bw = 20;
	double frac = g->mem_total > 0 && !isnan(g->mem_used) ? g->mem_used / g->mem_total : 0;
	int fill = (int)lround(frac * bw);
	size_t o = 0;
	if (fill > bw)
		fill = bw;
	if (fill < 0)
		fill = 0;
	snprintf(buf, sizeof buf, "GPU %-2d", g->index);
	put(s, x, buf, TUI_COLOR_DEFAULT);
	x += 7;
	tui_text_fit(name, sizeof name, g->name ? g->name : "?", 24, true, false, c->utf8);
	put(s, x, name, TUI_COLOR_DIM);
	x += 25;
	bar[o++] = '[';
	for (int i = 0; i < bw; i++) {
		const char *glyph = c->utf8 ? (i < fill ? "\u2588" : "\u2591") : (i < fill ? "#" : ".");
		size_t gl = strlen(glyph);
		memcpy(bar + o, glyph, gl);
		o += gl;
	}
	bar[o++] = ']';
	bar[o] = '\0';
	put(s, x, bar, frac >= 0.05 ? TUI_COLOR_RUN_FAILED : TUI_COLOR_RUN_FINISHED);
	x += bw + 3;
	if (isnan(g->mem_used))
		snprintf(buf, sizeof buf, "?/%.0f MiB", g->mem_total);
	else
		snprintf(buf, sizeof buf, "%.0f/%.0f MiB", g->mem_used, g->mem_total);
	put(s, x, buf, TUI_COLOR_DEFAULT);
	x += 20;
	if (isnan(g->util))
		snprintf(buf, sizeof buf, "  ?%%");
	else
		snprintf(buf, sizeof buf, "%3.0f%%", g->util);
	put(s, x, buf, TUI_COLOR_DEFAULT);
	x += 6;
	{
		char raw[256];
		tui_present_gpu_state(raw, sizeof raw, g);
		tui_text_fit(buf, sizeof buf, raw, 60, false, false, c->utf8); /* sanitised: users come from the host */
	}
	put(s, x, buf, g->lease_run || g->nprocs ? TUI_COLOR_RUN_RUNNING
	               : ry_gpu_is_free(g) ? TUI_COLOR_RUN_FINISHED : TUI_COLOR_DIM);
	next_line(s);
}

/* Why a host is unreachable, word-wrapped under it on up to WHY_LINES
 * lines: the useful part (which key, the fingerprint, the command that
 * fixes it) is usually at the end of a long message. */
#define WHY_LINES 4
static void why_lines(struct line_sink *s, const char *error)
{
	char clean[4 * 1200 + 1];
	const char *p = clean;
	int w = s->c->cols - 4 > 20 ? s->c->cols - 4 : 20;
	tui_text_fit(clean, sizeof clean, error, 1200, false, false, s->c->utf8);
	for (int n = 0; *p && n < WHY_LINES; n++) {
		if (n == WHY_LINES - 1) {
			put(s, 4, p, TUI_COLOR_ERROR); /* the rest, cut with an ellipsis */
			next_line(s);
			break;
		}
		size_t len = tui_text_wrap(p, w);
		char *line = ry_xstrndup(p, len);
		put(s, 4, line, TUI_COLOR_ERROR);
		free(line);
		next_line(s);
		p += len;
		while (*p == ' ')
			p++;
	}
}

/* A Slurm login node: its partitions and your jobs (slurm.h). */
static void slurm_lines(struct line_sink *s, const ry_host *h)
{
	char raw[512], buf[512];
	if (h->slurm_error) {
		snprintf(raw, sizeof raw, "sinfo/squeue failed: %s", h->slurm_error);
		tui_text_fit(buf, sizeof buf, raw, 200, false, false, s->c->utf8);
		put(s, 4, buf, TUI_COLOR_ERROR);
		next_line(s);
	}
	for (size_t i = 0; i < h->npartitions; i++) {
		tui_present_slurm_partition(raw, sizeof raw, &h->partitions[i]);
		tui_text_fit(buf, sizeof buf, raw, 120, false, false, s->c->utf8);
		put(s, 4, buf, TUI_COLOR_DEFAULT);
		next_line(s);
	}
	for (size_t i = 0; i < h->njobs; i++) {
		const ry_slurm_job *j = &h->jobs[i];
		tui_present_slurm_job(raw, sizeof raw, j);
		tui_text_fit(buf, sizeof buf, raw, 120, false, false, s->c->utf8);
		put(s, 6, buf, strcmp(j->state, "RUNNING") ? TUI_COLOR_DIM : TUI_COLOR_RUN_RUNNING);
		next_line(s);
	}
}

static void host_lines(struct line_sink *s, const ry_host *h)
{
	struct tui_ctx *c = s->c;
	char buf[512], name[64], status[256], price[64];
	const char *ok = c->utf8 ? "\u25cf" : "*", *bad = c->utf8 ? "\u2717" : "x";
	tui_text_fit(name, sizeof name, h->name, 20, false, false, c->utf8);
	tui_present_price(price, sizeof price, h);
	tui_present_host_status(status, sizeof status, h);
	if (!h->probed) {
		snprintf(buf, sizeof buf, "? %s  %s  %s", name, status, price);
		put(s, 0, buf, TUI_COLOR_DIM);
		next_line(s);
		return;
	}
	if (h->probe_rc) {
		snprintf(buf, sizeof buf, "%s %s  %s:", bad, name, status);
		put(s, 0, buf, TUI_COLOR_ERROR);
		next_line(s);
		why_lines(s, h->error ? h->error : "");
		return;
	}
	snprintf(buf, sizeof buf, "%s %s  %s  %s", ok, name, status, price);
	put(s, 0, buf, TUI_COLOR_RUN_FINISHED);
	next_line(s);
	if (h->gpu_error) {
		char why[300];
		tui_text_fit(why, sizeof why, h->gpu_error, 200, false, false, c->utf8);
		snprintf(buf, sizeof buf, "nvidia-smi failed: %s", why);
		put(s, 4, buf, TUI_COLOR_ERROR);
		next_line(s);
	}
	for (size_t i = 0; i < h->ngpus; i++)
		gpu_line(s, &h->gpus[i]);
	slurm_lines(s, h);
}

/* Every line below the heading, each host's first line recorded. */
/* The queue under the hosts: how many wait, then the next few with what
 * they need and why they wait (the last drain pass's reason). */
#define QUEUE_SHOWN 5
static void queue_lines(struct line_sink *s, struct hosts_priv *p)
{
	char buf[512], why[256];
	if (!p->nqueue)
		return;
	next_line(s);
	snprintf(buf, sizeof buf, "Queue: %zu run%s waiting for GPUs (started as GPUs free while runyard is open, or "
	         "by 'runyard queue --drain')", p->nqueue, p->nqueue == 1 ? "" : "s");
	put(s, 0, buf, TUI_COLOR_HEADER);
	next_line(s);
	for (size_t i = 0; i < p->nqueue && i < QUEUE_SHOWN; i++) {
		const ry_queue_item *q = &p->queue[i];
		char raw[512];
		snprintf(raw, sizeof raw, "%3d  %s%s%s  %d GPU%s on %s: %s", q->position, q->run_name, q->sweep ? "  " : "",
		         q->sweep ? q->sweep : "", q->gpus, q->gpus == 1 ? "" : "s", q->hosts,
		         q->last_error ? q->last_error : "not tried yet");
		tui_text_fit(why, sizeof why, raw, s->c->cols > 4 ? s->c->cols - 4 : 1, false, false, s->c->utf8);
		put(s, 2, why, TUI_COLOR_DEFAULT);
		next_line(s);
	}
	if (p->nqueue > QUEUE_SHOWN) {
		snprintf(buf, sizeof buf, "... and %zu more ('runyard queue' lists them)", p->nqueue - QUEUE_SHOWN);
		put(s, 2, buf, TUI_COLOR_DIM);
		next_line(s);
	}
}

static void body_lines(struct line_sink *s, struct hosts_priv *p)
{
	if (p->nfirst < p->nshown) {
		free(p->first);
		p->first = ry_xcalloc(p->nshown, sizeof *p->first);
		p->nfirst = p->nshown;
	}
	if (p->error) {
		put(s, 0, p->error, TUI_COLOR_ERROR);
		next_line(s);
	}
	if (!p->shown && p->running) {
		put(s, 0, "connecting to every host at once; keys keep working", TUI_COLOR_DIM);
		next_line(s);
	} else if (p->nshown == 0 && !p->running && !p->error) {
		put(s, 0, "no hosts: add Host entries to ~/.ssh/config or [host NAME] sections to runyard's config",
		    TUI_COLOR_DIM);
		next_line(s);
	}
	for (size_t i = 0; i < p->nshown; i++) {
		p->first[i] = s->line;
		host_lines(s, &p->shown[i]);
	}
	queue_lines(s, p);
}

static void hosts_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct hosts_priv *p = v->priv;
	static const char *const spin_utf8[] = { "\u280b", "\u2819", "\u2839", "\u2838", "\u283c", "\u2834",
	                                         "\u2826", "\u2827", "\u2807", "\u280f" };
	static const char spin_ascii[] = "|/-\\";
	char head[256];
	double now = ry_monotonic();
	for (int r = 0; r < h; r++)
		tui_draw_fill(c, y + r, 0, c->cols, TUI_COLOR_DEFAULT);
	if (p->running) {
		char glyph[8];
		if (c->utf8)
			snprintf(glyph, sizeof glyph, "%s", spin_utf8[p->spin % 10]);
		else
			snprintf(glyph, sizeof glyph, "%c", spin_ascii[p->spin % 4]);
		snprintf(head, sizeof head, "%s probing%s%s%s %.1fs", glyph, p->one ? " " : "", p->one ? p->one : "",
		         c->utf8 ? "\u2026" : "...", now - p->started);
	} else if (p->asked) {
		snprintf(head, sizeof head, "probed %.0fs ago; r probes again (not by itself: it would ask for the "
		         "passphrase again)", now - p->finished);
	} else if (p->nshown || p->error) {
		snprintf(head, sizeof head, "probed %.0fs ago; r probes again (every %.0fs while open)",
		         now - p->finished, HOSTS_AUTO_REFRESH);
	} else {
		snprintf(head, sizeof head, "no probe yet");
	}
	tui_draw_text(c, y, 0, c->cols, head, TUI_COLOR_HEADER);
	/* Count first (where each host starts), scroll the cursor's host into
	 * view, then draw: what is drawn is what was counted. */
	struct line_sink s = { c, y + 1, 0, 0, 0, -1 };
	body_lines(&s, p);
	int rows = h - 1 > 0 ? h - 1 : 0;
	tui_list_fit(&p->list, p->nshown, p->nshown);
	if (p->nshown) {
		int at = p->first[p->list.cur];
		int end = p->list.cur + 1 < p->nshown ? p->first[p->list.cur + 1] : s.line;
		if (end - at > rows)
			end = at + rows; /* a host taller than the screen: its first line */
		if (at < p->top)
			p->top = at;
		if (end > p->top + rows)
			p->top = end - rows;
		if (p->list.cur == 0)
			p->top = 0; /* the error or hint above the first host too */
	}
	if (p->top > s.line - rows)
		p->top = s.line - rows > 0 ? s.line - rows : 0;
	p->page = 0;
	for (size_t i = 0; i < p->nshown; i++)
		p->page += p->first[i] >= p->top && p->first[i] < p->top + rows;
	p->body_y = y + 1;
	s = (struct line_sink){ c, y + 1, rows, p->top, 0, p->nshown ? p->first[p->list.cur] : -1 };
	body_lines(&s, p);
	p->nlines = s.line;
	v->rows = rows;
}

/* The host under the cursor, or NULL when none is shown. */
static const ry_host *cursor_host(struct hosts_priv *p)
{
	return p->list.cur < p->nshown ? &p->shown[p->list.cur] : NULL;
}

/* `L`: the launch dialog on the host under the cursor, from the template
 * the runs screen handed over. */
static int launch_here(struct tui_ctx *c, struct hosts_priv *p)
{
	const ry_host *h = cursor_host(p);
	if (!h) {
		tui_error(c, "no host under the cursor to launch on");
		return TUI_REDRAW;
	}
	struct tui_launch_arg a = { p->experiment, p->command, h->name };
	tui_view_push(c, &tui_view_launch, &a);
	return TUI_REDRAW;
}

static int hosts_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct hosts_priv *p = v->priv;
	const ry_host *h = cursor_host(p);
	tui_list_fit(&p->list, p->nshown, p->nshown);
	if (tui_list_action(&p->list, a, p->page > 1 ? (size_t)p->page - 1 : 1))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_REFRESH:
		if (p->running)
			tui_msg(c, "a probe is already running");
		else
			start_probe(c, p, NULL);
		return TUI_REDRAW;
	case TUI_ACT_PROBE_HOST:
		if (p->running)
			tui_msg(c, "a probe is already running");
		else if (h)
			start_probe(c, p, h->name);
		return TUI_REDRAW;
	case TUI_ACT_LAUNCH: return launch_here(c, p);
	default: return TUI_UNHANDLED;
	}
}

/* A click on any line of a host puts the cursor on it (its GPUs too).  It
 * launches nothing: `L` does, on purpose. */
static int hosts_click(struct tui_view *v, struct tui_ctx *c, int y, int x)
{
	struct hosts_priv *p = v->priv;
	int line = p->top + (y - p->body_y);
	(void)c;
	(void)x;
	/* first[] is the last draw's: a probe taken since may have more hosts */
	size_t n = p->nshown < p->nfirst ? p->nshown : p->nfirst;
	if (y < p->body_y || !n || line < p->first[0] || line >= p->nlines)
		return 0;
	size_t i = 0;
	while (i + 1 < n && p->first[i + 1] <= line)
		i++;
	tui_list_set(&p->list, i);
	return TUI_REDRAW;
}

static void hosts_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct hosts_priv *p = v->priv;
	size_t up = 0;
	(void)c;
	for (size_t i = 0; i < p->nshown; i++)
		up += p->shown[i].probed && p->shown[i].probe_rc == 0;
	/* the cursor's host by name too: the highlight alone is a colour */
	const ry_host *h = cursor_host(p);
	char at[96] = "";
	if (h)
		snprintf(at, sizeof at, "  host %zu/%zu: %.64s", p->list.cur + 1, p->nshown, h->name);
	snprintf(out, n, "%zu hosts, %zu reachable%s%s", p->nshown, up, p->running ? ", probing" : "", at);
}

const struct tui_view_ops tui_view_hosts = {
	.name = "hosts",
	.keymap = TUI_KM_HOSTS,
	.open = hosts_open,
	.draw = hosts_draw,
	.action = hosts_action,
	.status = hosts_status,
	.tick = hosts_tick,
	.done = hosts_done,
	.click = hosts_click,
};
