/*
 * The ssh serving target (ssh.h): copy the version's artifact to the host
 * (host_put: SFTP, sha256 checked there), start the configured serve
 * command detached in its own process group in a directory of its own, and
 * wait until its health URL answers 2xx.
 *
 * On the host each deployment is a directory DIR/<model>-v<N>-<stamp>/:
 *   <artifact's file name>  the model ({model_path})
 *   log                     the serve command's stdout and stderr
 *   pid                     its pid = its process group id (setsid)
 *   stopped                 written by undeploy
 * The handle runyard keeps is {"host", "dir", "health", "endpoint"} as
 * JSON, so status, undeploy and logs need nothing else.
 *
 * The health URL is polled on the host (curl, else python3), not from
 * runyard: it names the server as the host sees it (typically its own
 * loopback: the server need not listen on a public interface to be
 * checked), and libcurl stays in plugins/serve/http.
 *
 * Everything this file puts into a remote command line is quoted here
 * (quote): a plugin sees only plugin.h, so core's shell quoting is out of
 * reach; the rules are the same (one single-quoted word, "~/" as $HOME).
 */
#include "plugins/serve/ssh/ssh.h"

#include "plugins/serve/common.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ssh_target {
	const ry_plugin_services *svc;
	char *target;
};

/* ---- a growable string ---------------------------------------------------- */

struct sb {
	char *p;
	size_t n, cap;
};

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort(); /* out of memory: as core's ry_xmalloc, fatal */
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

/* One shell word: '...' with each ' as '\''. */
static void quote(struct sb *b, const char *s)
{
	sb_puts(b, "'");
	for (; *s; s++)
		if (*s == '\'')
			sb_puts(b, "'\\''");
		else
			sb_putn(b, s, 1);
	sb_puts(b, "'");
}

/* A remote path as one word: "~/x" as "$HOME"/'x'. */
static void quote_path(struct sb *b, const char *path)
{
	if (!strcmp(path, "~")) {
		sb_puts(b, "\"$HOME\"");
		return;
	}
	if (!strncmp(path, "~/", 2)) {
		sb_puts(b, "\"$HOME\"/");
		path += 2;
	}
	quote(b, path);
}

static char *sb_take(struct sb *b)
{
	char *p = b->p ? b->p : strdup("");
	b->p = NULL;
	b->n = b->cap = 0;
	return p;
}

/* ---- talking to the host ------------------------------------------------- */

static const char *opt(struct ssh_target *t, const char *key, const char *def)
{
	const char *v = t->svc->option(t->svc->host, key);
	return v && *v ? v : def;
}

/* Run a fixed sh script with quoted arguments on host; *out its stdout. */
static int rsh(struct ssh_target *t, const char *host, const char *script, const char *const *args, size_t nargs,
               int *status, char **out)
{
	struct sb c = { 0 };
	sb_puts(&c, "sh -c ");
	quote(&c, script);
	sb_puts(&c, " sh");
	for (size_t i = 0; i < nargs; i++) {
		sb_puts(&c, " ");
		quote(&c, args[i]);
	}
	int rc = t->svc->host_exec(t->svc->host, host, c.p, status, out);
	free(c.p);
	return rc;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* $1 the deployment directory, $2 the health URL ("" none).  Prints one
 * word: stopped, exited, running (no URL), ready, or starting. */
static const char check_script[] =
	"D=$1; U=$2\n"
	"[ -e \"$D/stopped\" ] && { echo stopped; exit 0; }\n"
	"p=$(cat \"$D/pid\" 2>/dev/null)\n"
	"[ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null || { echo exited; exit 0; }\n"
	"# a zombie answers kill -0 where nothing reaps orphans (containers)\n"
	"case $(ps -o stat= -p \"$p\" 2>/dev/null) in Z*) echo exited; exit 0;; esac\n"
	"[ -z \"$U\" ] && { echo running; exit 0; }\n"
	"if command -v curl >/dev/null 2>&1; then\n"
	"  c=$(curl -s -o /dev/null -m 5 -w '%{http_code}' \"$U\" 2>/dev/null)\n"
	"else\n"
	"  c=$(python3 -c 'import sys, urllib.request as u\n"
	"try: print(u.urlopen(sys.argv[1], timeout=5).status)\n"
	"except Exception as e: print(getattr(e, \"code\", 0))' \"$U\" 2>/dev/null)\n"
	"fi\n"
	"case $c in 2?\?) echo ready;; *) echo starting;; esac\n";

/* $1 the directory: TERM to the group, KILL after 5 s, mark it stopped. */
static const char stop_script[] =
	"D=$1; p=$(cat \"$D/pid\" 2>/dev/null); : > \"$D/stopped\"\n"
	"if [ -n \"$p\" ]; then\n"
	"  kill -TERM -\"$p\" 2>/dev/null\n"
	"  i=0; while kill -0 -\"$p\" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done\n"
	"  kill -KILL -\"$p\" 2>/dev/null\n"
	"fi\n"
	"exit 0\n";

/* $1 the directory, $2 the command: started detached, its own session and
 * process group (the pid it writes is the group's id); prints the pid. */
static const char start_script[] =
	"D=$1; C=$2\n"
	"cd \"$D\" || exit 3\n"
	"command -v setsid >/dev/null 2>&1 || { echo 'this host has no setsid' >&2; exit 4; }\n"
	": >> log\n"
	"setsid nohup sh -c 'echo $$ > pid.tmp && mv pid.tmp pid && exec sh -c \"$0\"' \"$C\" </dev/null >>log 2>&1 &\n"
	"i=0; while [ ! -s pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done\n"
	"cat pid\n";

static int check(struct ssh_target *t, const char *host, const char *dir, const char *health, char **word)
{
	const char *args[] = { dir, health ? health : "" };
	int status = -1;
	int rc = rsh(t, host, check_script, args, 2, &status, word);
	if (rc == 0 && status != 0) {
		free(*word);
		*word = NULL;
		rc = serve_fail(t->svc, RY_PLUGIN_EIO, "%s: checking deployment %s failed (exit %d)", host, dir, status);
	}
	if (rc == 0)
		chomp(*word);
	return rc;
}

static char *log_tail(struct ssh_target *t, const char *host, const char *dir, size_t max)
{
	char n[32], *out = NULL;
	int status = -1;
	snprintf(n, sizeof n, "%zu", max);
	const char *args[] = { dir, n };
	if (rsh(t, host, "tail -c \"$2\" \"$1/log\" 2>/dev/null", args, 2, &status, &out) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the handle ---------------------------------------------------------- */

struct handle {
	char *host, *dir, *health;
};

static void handle_clear(struct handle *h)
{
	free(h->host);
	free(h->dir);
	free(h->health);
}

static char *handle_make(const char *host, const char *dir, const char *health, const char *endpoint)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "host", host);
	cJSON_AddStringToObject(j, "dir", dir);
	if (health)
		cJSON_AddStringToObject(j, "health", health);
	if (endpoint)
		cJSON_AddStringToObject(j, "endpoint", endpoint);
	char *text = cJSON_PrintUnformatted(j), *copy = serve_xstrdup(text);
	cJSON_free(text);
	cJSON_Delete(j);
	return copy;
}

static int handle_parse(struct ssh_target *t, const char *text, struct handle *h)
{
	cJSON *j = text ? cJSON_Parse(text) : NULL, *x;
	memset(h, 0, sizeof *h);
	if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "host")))
		h->host = serve_xstrdup(x->valuestring);
	if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "dir")))
		h->dir = serve_xstrdup(x->valuestring);
	if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "health")))
		h->health = serve_xstrdup(x->valuestring);
	cJSON_Delete(j);
	if (!h->host || !h->dir) {
		handle_clear(h);
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "'%.80s' is not an ssh deployment's handle", text ? text : "");
	}
	return 0;
}

/* ---- deploy -------------------------------------------------------------- */

/* tmpl with {model_path} and {port} replaced, each as one quoted word when
 * `quoted` (a command line), else as it is (a URL). */
static char *subst(const char *tmpl, const char *model_path, const char *port, bool quoted)
{
	struct sb b = { 0 };
	for (const char *p = tmpl; *p;) {
		const char *val = NULL;
		size_t skip = 0;
		if (!strncmp(p, "{model_path}", 12))
			val = model_path, skip = 12;
		else if (!strncmp(p, "{port}", 6))
			val = port, skip = 6;
		if (val) {
			if (quoted)
				quote_path(&b, val);
			else
				sb_puts(&b, val);
			p += skip;
		} else {
			sb_putn(&b, p++, 1);
		}
	}
	return sb_take(&b);
}

/* What to record as the endpoint: the endpoint option, else the health
 * URL's scheme://host:port. */
static char *endpoint_of(struct ssh_target *t, const char *health, const char *port)
{
	const char *e = opt(t, "endpoint", NULL);
	if (e)
		return subst(e, "", port, false);
	if (!health)
		return NULL;
	const char *hostpart = strstr(health, "://");
	const char *slash = hostpart ? strchr(hostpart + 3, '/') : NULL;
	return slash ? strndup(health, (size_t)(slash - health)) : serve_xstrdup(health);
}

static bool digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static char *file_name(const char *artifact_path)
{
	const char *b = artifact_path ? strrchr(artifact_path, '/') : NULL;
	b = b ? b + 1 : artifact_path;
	if (!b || !*b || !strcmp(b, ".") || !strcmp(b, ".."))
		return serve_xstrdup("model");
	return serve_xstrdup(b);
}

static int ssh_open(void **self, void *data, const ry_plugin_services *svc, const char *target)
{
	(void)data;
	struct ssh_target *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	t->svc = svc;
	t->target = serve_xstrdup(target);
	if (!svc->host_exec || !svc->host_put || !svc->option) {
		free(t->target);
		free(t);
		return svc->error(svc->host, RY_PLUGIN_EREFUSED, "this runyard lends no host_exec/host_put");
	}
	*self = t;
	return 0;
}

static void ssh_close(void *self)
{
	struct ssh_target *t = self;
	if (!t)
		return;
	free(t->target);
	free(t);
}

/* Wait for the started server: ready, or an error (the log's end in it). */
static int wait_ready(struct ssh_target *t, const char *host, const char *dir, const char *health, double timeout)
{
	double deadline = serve_now() + timeout, settle = serve_now() + 1.0;
	char *word = NULL;
	int rc;
	for (;;) {
		if ((rc = check(t, host, dir, health, &word)))
			return rc;
		/* without a health URL: alive for a second is as good as it gets */
		bool ready = !strcmp(word, "ready") || (!strcmp(word, "running") && serve_now() >= settle);
		bool gone = !strcmp(word, "exited") || !strcmp(word, "stopped");
		free(word);
		word = NULL;
		if (ready)
			return 0;
		if (gone) {
			char *tail = log_tail(t, host, dir, 2000);
			rc = serve_fail(t->svc, RY_PLUGIN_ERROR, "the serve command exited before it became healthy; the end of its "
			          "log (%s/log on %s):\n%s", dir, host, tail && *tail ? tail : "(empty)");
			free(tail);
			return rc;
		}
		if (serve_now() >= deadline) {
			char *tail = log_tail(t, host, dir, 2000);
			rc = serve_fail(t->svc, RY_PLUGIN_ERROR, "%s did not answer 2xx within %g s (timeout); stopped it. The end of "
			          "its log:\n%s", health, timeout, tail && *tail ? tail : "(empty)");
			free(tail);
			return rc;
		}
		serve_nap(0.2);
	}
}

static int ssh_deploy(void *self, const ry_plugin_deploy *d, char **handle, char **endpoint)
{
	struct ssh_target *t = self;
	const char *host = opt(t, "host", NULL), *serve = opt(t, "serve", NULL);
	const char *dir = opt(t, "dir", "~/.runyard/deploy"), *port = opt(t, "port", "8000");
	const char *health_t = opt(t, "health", NULL), *timeout_s = opt(t, "timeout", "60");
	char *timeout_end, name[200], *out = NULL, *abs = NULL, *file = NULL, *model_path = NULL, *cmd = NULL;
	char *health = NULL;
	struct sb b = { 0 };
	int status = -1, rc;
	double timeout = strtod(timeout_s, &timeout_end);

	if (!host)
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] needs host = NAME (a configured host)", t->target);
	if (!serve)
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] needs serve = COMMAND, with {model_path} and {port}",
		            t->target);
	if (!digits(port) || atoi(port) < 1 || atoi(port) > 65535)
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] port = '%s' is not a TCP port", t->target, port);
	if (*timeout_end || !(timeout > 0))
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] timeout = '%s' is not a number of seconds", t->target,
		            timeout_s);
	if (!d->sha256 || !*d->sha256)
		return serve_fail(t->svc, RY_PLUGIN_EREFUSED, "%s v%lld is only a record here (its artifact lives at %s): the ssh "
		            "target copies the workspace's artifact", d->model, (long long)d->number,
		            d->source_uri ? d->source_uri : "an unknown place");

	/* a directory of its own on the host */
	snprintf(name, sizeof name, "%s-v%lld-%lld-%d", d->model, (long long)d->number, (long long)time(NULL),
	         (int)(getpid() % 100000));
	sb_puts(&b, "mkdir -p ");
	if (dir[strlen(dir) - 1] == '/')
		quote_path(&b, dir), quote(&b, name);
	else {
		char *full = malloc(strlen(dir) + strlen(name) + 2);
		if (!full)
			abort();
		sprintf(full, "%s/%s", dir, name);
		quote_path(&b, full);
		free(full);
	}
	{
		/* the same word again for cd: the path resolved once, on the host */
		char *mk = sb_take(&b);
		const char *word = mk + strlen("mkdir -p ");
		sb_puts(&b, mk);
		sb_puts(&b, " && cd ");
		sb_puts(&b, word);
		sb_puts(&b, " && pwd -P");
		free(mk);
	}
	rc = t->svc->host_exec(t->svc->host, host, b.p, &status, &out);
	free(b.p);
	if (rc)
		goto out;
	if (status != 0) {
		rc = serve_fail(t->svc, RY_PLUGIN_EIO, "%s: cannot create the deployment directory under %s (exit %d)", host, dir,
		          status);
		goto out;
	}
	chomp(out);
	abs = out;
	out = NULL;
	file = file_name(d->artifact_path);
	model_path = malloc(strlen(abs) + strlen(file) + 2);
	if (!model_path)
		abort();
	sprintf(model_path, "%s/%s", abs, file);

	t->svc->log(t->svc->host, RY_PLUGIN_LOG_INFO, "copying the artifact to the host");
	if ((rc = t->svc->host_put(t->svc->host, host, d->sha256, model_path)))
		goto out;

	health = health_t ? subst(health_t, model_path, port, false) : NULL;
	*endpoint = endpoint_of(t, health, port);
	*handle = handle_make(host, abs, health, *endpoint);
	cmd = subst(serve, model_path, port, true);
	t->svc->log(t->svc->host, RY_PLUGIN_LOG_INFO, "starting the serve command");
	{
		const char *args[] = { abs, cmd };
		if ((rc = rsh(t, host, start_script, args, 2, &status, &out)))
			goto out;
		chomp(out);
		if (status != 0 || !digits(out)) {
			rc = serve_fail(t->svc, RY_PLUGIN_EIO, "%s: the serve command did not start (exit %d)", host, status);
			goto out;
		}
	}
	t->svc->log(t->svc->host, RY_PLUGIN_LOG_INFO, health ? "waiting for the health URL" : "waiting a second");
	if ((rc = wait_ready(t, host, abs, health, timeout))) {
		/* keep the failure's message; stop what is left of the server */
		const char *args[] = { abs };
		int st2;
		rsh(t, host, stop_script, args, 1, &st2, NULL);
		/* the stop marker would read as "stopped"; this one failed */
		rsh(t, host, "rm -f \"$1/stopped\"", args, 1, &st2, NULL);
	}
out:
	free(out);
	free(abs);
	free(file);
	free(model_path);
	free(cmd);
	free(health);
	return rc;
}

static int ssh_status(void *self, const char *handle, char **status, char **detail)
{
	struct ssh_target *t = self;
	struct handle h;
	char *word = NULL;
	int rc;
	if ((rc = handle_parse(t, handle, &h)))
		return rc;
	if ((rc = check(t, h.host, h.dir, h.health, &word)) == 0) {
		if (!strcmp(word, "exited")) {
			*status = serve_xstrdup("failed");
			*detail = serve_xstrdup("the serve command is no longer running");
		} else {
			*status = serve_xstrdup(!strcmp(word, "running") ? "ready" : word);
		}
	}
	free(word);
	handle_clear(&h);
	return rc;
}

static int ssh_undeploy(void *self, const char *handle)
{
	struct ssh_target *t = self;
	struct handle h;
	int status = -1, rc;
	if ((rc = handle_parse(t, handle, &h)))
		return rc;
	const char *args[] = { h.dir };
	rc = rsh(t, h.host, stop_script, args, 1, &status, NULL);
	if (rc == 0 && status != 0)
		rc = serve_fail(t->svc, RY_PLUGIN_EIO, "%s: stopping %s failed (exit %d)", h.host, h.dir, status);
	handle_clear(&h);
	return rc;
}

static int ssh_logs(void *self, const char *handle, size_t max_bytes, char **text)
{
	struct ssh_target *t = self;
	struct handle h;
	int rc;
	if ((rc = handle_parse(t, handle, &h)))
		return rc;
	*text = log_tail(t, h.host, h.dir, max_bytes);
	if (!*text)
		rc = serve_fail(t->svc, RY_PLUGIN_EIO, "%s: cannot read %s/log", h.host, h.dir);
	handle_clear(&h);
	return rc;
}

const ry_serving_ops ry_serve_ssh = {
	.version = RY_PLUGIN_ABI,
	.name = "ssh",
	.open = ssh_open,
	.deploy = ssh_deploy,
	.status = ssh_status,
	.undeploy = ssh_undeploy,
	.logs = ssh_logs,
	.close = ssh_close,
};
