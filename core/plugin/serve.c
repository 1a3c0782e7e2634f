/*
 * The services core lends a serving-target plugin (ry_plugin_services),
 * and the session that drives one: open it on a target's config section,
 * deploy, status, undeploy, logs, close.
 *
 * What is lent here and not to trackers: option() reads [target NAME] of
 * the config file; host_exec runs a command on a configured host and
 * host_put copies a stored artifact there by SFTP, both over one SSH
 * session per host, opened on first use with the host's verified key (as
 * launch does: the inventory resolves the name, ssh.c checks known_hosts)
 * and kept until close.  host_put uploads to a temporary name, checks the
 * file's sha256 on the host and only then moves it into place, so a
 * deployment never starts on bytes that are not the registered ones.
 *
 * This file does not write the workspace: recording deployments and their
 * audit events is core/deploy's job.  It does not know any plugin.
 */
#include "plugin/plugin_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/error.h"
#include "base/sha256.h"
#include "base/shell.h"
#include "base/util.h"
#include "registry/artifact.h"
#include "remote/inventory.h"
#include "remote/ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One SSH session to a configured host, kept for the session's life. */
struct conn {
	char *host;
	ry_ssh *ssh;
};

struct ry_serving {
	ry_store *st;
	ry_plugin *plugin;      /* owned: ops is its table */
	const ry_serving_ops *ops;
	char *name;             /* the plugin's */
	char *section;          /* "target NAME" */
	const ry_config *cfg;   /* lent or owned_cfg */
	ry_config *owned_cfg;
	ry_inventory *inv;      /* opened on the first host_exec / host_put */
	ry_serving_options o;
	struct conn *conns; size_t nconns, capconns;
	ry_plugin_services svc;
	void *self;
};

/* The plugin is handed a ry_plugin_host *: for a serving session it is the
 * ry_serving itself (session.c defines the tracker's own host struct; the
 * pointer is only ever given back to the functions below, which turn it
 * into what it was). */
static ry_serving *S(ry_plugin_host *h)
{
	return (ry_serving *)(void *)h;
}

int ry_plugin__artifact_open(ry_store *st, const char *plugin, const char *sha256, int *fd)
{
	*fd = -1;
	if (!sha256 || !ry_sha256_valid(sha256))
		return ry_error_set(RY_EINVAL, "plugin %s: '%s' is not an artifact's sha256", plugin,
		                    sha256 ? sha256 : "");
	char *path = ry_artifact_object_path(st, sha256);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved = errno;
	free(path);
	if (*fd < 0)
		return ry_error_set(saved == ENOENT ? RY_ENOTFOUND : RY_EIO, "plugin %s: artifact %.12s: %s", plugin,
		                    sha256, saved == ENOENT ? "not in this workspace" : strerror(saved));
	return 0;
}

static int svc_artifact_open(ry_plugin_host *h, const char *sha256, int *fd)
{
	return ry_plugin__artifact_open(S(h)->st, S(h)->name, sha256, fd);
}

static const char *svc_option(ry_plugin_host *h, const char *key)
{
	return key ? ry_config_get(S(h)->cfg, S(h)->section, key) : NULL;
}

static const char *svc_option_at(ry_plugin_host *h, size_t i, const char **value)
{
	const char *key = NULL;
	*value = NULL;
	if (i >= ry_config_nentries(S(h)->cfg, S(h)->section))
		return NULL;
	ry_config_entry(S(h)->cfg, S(h)->section, i, &key, value);
	return key;
}

char *ry_plugin__serving_artifact_file(ry_plugin_host *h, const char *sha256)
{
	if (!sha256 || !ry_sha256_valid(sha256))
		return NULL;
	char *path = ry_artifact_object_path(S(h)->st, sha256);
	if (access(path, R_OK) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

static void svc_log(ry_plugin_host *h, int level, const char *message)
{
	ry_serving *s = S(h);
	if (s->o.log && message)
		s->o.log(s->o.payload, s->name, level, message);
}

static int svc_error(ry_plugin_host *h, int code, const char *message)
{
	if (code >= 0)
		code = RY_ERROR;
	return ry_error_set(code, "plugin %s: %s", S(h)->name, message && *message ? message : "failed");
}

static void svc_progress(ry_plugin_host *h, int64_t done, int64_t total)
{
	(void)h, (void)done, (void)total; /* a deploy shows no bar; its log lines say where it is */
}

/* The session to host `name`, connected on first use. */
static int conn_get(ry_serving *s, const char *name, ry_ssh **out)
{
	ry_ssh_options so = RY_SSH_OPTIONS_INIT;
	ry_sshhost *sh = NULL;
	ry_host *h;
	int rc;
	*out = NULL;
	for (size_t i = 0; i < s->nconns; i++)
		if (!strcmp(s->conns[i].host, name)) {
			*out = s->conns[i].ssh;
			return 0;
		}
	if (!s->inv && (rc = ry_inventory_open(&s->inv, s->st, s->cfg)))
		return rc;
	if (!(h = ry_inventory_find(s->inv, name))) {
		char *why = ry_xstrdup(ry_error_last());
		rc = ry_error_set(RY_ENOTFOUND, "[%s]: %s", s->section, why);
		free(why);
		return rc;
	}
	so.timeout_ms = s->o.timeout_ms > 0 ? s->o.timeout_ms : 20000;
	so.passphrase = s->o.passphrase;
	so.payload = s->o.payload;
	so.config = ry_inventory_sshconfig(s->inv);
	if ((rc = ry_sshconfig_resolve(so.config, h->ssh_alias ? h->ssh_alias : h->name, &sh)))
		return rc;
	rc = ry_ssh_connect(out, sh, &so, NULL);
	ry_sshhost_free(sh);
	if (rc)
		return rc;
	s->conns = ry_xgrow(s->conns, &s->capconns, s->nconns + 1, sizeof *s->conns);
	s->conns[s->nconns++] = (struct conn){ ry_xstrdup(name), *out };
	return 0;
}

static int svc_host_exec(ry_plugin_host *h, const char *host_name, const char *command, int *exit_code,
                         char **out)
{
	ry_serving *s = S(h);
	ry_buf o = RY_BUF_INIT;
	ry_ssh *ssh;
	int status = -1, rc;
	if (out)
		*out = NULL;
	if (exit_code)
		*exit_code = -1;
	if (!host_name || !command)
		return ry_error_set(RY_EINVAL, "plugin %s: host_exec needs a host and a command", s->name);
	if ((rc = conn_get(s, host_name, &ssh)))
		return rc;
	rc = ry_ssh_exec(ssh, command, NULL, 0, out ? &o : NULL, NULL, &status, 0);
	if (rc == 0) {
		if (exit_code)
			*exit_code = status;
		if (out)
			*out = ry_buf_detach(&o);
	}
	ry_buf_free(&o);
	return rc;
}

/* The directory part of a remote path ("." when it has none). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? ry_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : ry_xstrdup(".");
}

/* Checked on the host: $1 the uploaded file, $2 its expected sha256, $3 the
 * final path.  A mismatch removes the upload and exits 9. */
static const char verify_script[] =
	"h=$( (sha256sum \"$1\" 2>/dev/null || shasum -a 256 \"$1\") | cut -d' ' -f1)\n"
	"if [ \"$h\" != \"$2\" ]; then rm -f \"$1\"; echo \"$h\"; exit 9; fi\n"
	"mv -f \"$1\" \"$3\"\n";

static int svc_host_put(ry_plugin_host *h, const char *host_name, const char *sha256, const char *remote_path)
{
	ry_serving *s = S(h);
	ry_buf cmd = RY_BUF_INIT, out = RY_BUF_INIT;
	char *local, *tmp, *dir, tag[37];
	ry_ssh *ssh;
	int status = -1, rc;
	if (!sha256 || !ry_sha256_valid(sha256))
		return ry_error_set(RY_EINVAL, "plugin %s: '%s' is not an artifact's sha256", s->name, sha256 ? sha256 : "");
	if (!host_name || !remote_path || !*remote_path)
		return ry_error_set(RY_EINVAL, "plugin %s: host_put needs a host and a remote path", s->name);
	local = ry_artifact_object_path(s->st, sha256);
	if (access(local, R_OK) != 0) {
		free(local);
		return ry_error_set(RY_ENOTFOUND, "plugin %s: artifact %.12s is not in this workspace", s->name, sha256);
	}
	if ((rc = conn_get(s, host_name, &ssh))) {
		free(local);
		return rc;
	}
	ry_uuid(tag);
	tmp = ry_xasprintf("%s.%s.tmp", remote_path, tag);
	dir = dir_of(remote_path);
	ry_buf_puts(&cmd, "mkdir -p ");
	ry_ssh_quote_path(&cmd, dir);
	if ((rc = ry_ssh_exec(ssh, ry_buf_cstr(&cmd), NULL, 0, NULL, NULL, &status, 0)) == 0 && status != 0)
		rc = ry_error_set(RY_EIO, "%s: cannot create directory %s (exit %d)", host_name, dir, status);
	if (rc == 0)
		rc = ry_ssh_upload(ssh, local, tmp, 0644, NULL, NULL);
	if (rc == 0) {
		ry_buf_clear(&cmd);
		ry_buf_puts(&cmd, "sh -c ");
		ry_shell_quote(&cmd, verify_script);
		ry_buf_puts(&cmd, " sh ");
		ry_ssh_quote_path(&cmd, tmp);
		ry_buf_putc(&cmd, ' ');
		ry_shell_quote(&cmd, sha256);
		ry_buf_putc(&cmd, ' ');
		ry_ssh_quote_path(&cmd, remote_path);
		rc = ry_ssh_exec(ssh, ry_buf_cstr(&cmd), NULL, 0, &out, NULL, &status, 0);
		if (rc == 0 && status == 9)
			rc = ry_error_set(RY_ECORRUPT, "artifact %.12s: the copy on %s has sha256 %.12s, not %.12s: the "
			                  "bytes sent are not the registered version's; nothing was deployed", sha256, host_name, ry_buf_cstr(&out), sha256);
		else if (rc == 0 && status != 0)
			rc = ry_error_set(RY_EIO, "%s: cannot check or move the copy into %s (exit %d)", host_name,
			                  remote_path, status);
	}
	free(local);
	free(tmp);
	free(dir);
	ry_buf_free(&cmd);
	ry_buf_free(&out);
	return rc;
}

int ry_serving_open(ry_serving **out, ry_store *st, ry_plugin *p, const ry_config *cfg, const char *target,
                    const ry_serving_options *o)
{
	ry_serving *s;
	int rc;
	*out = NULL;
	const ry_serving_ops *ops = ry_plugin__serving_ops(p);
	if (!ops) {
		rc = ry_error_set(RY_EREFUSED, "plugin '%s' is not a serving target", ry_plugin_name(p));
		ry_plugin_free(p);
		return rc;
	}
	s = ry_xcalloc(1, sizeof *s);
	s->st = st;
	s->plugin = p;
	s->ops = ops;
	s->name = ry_xstrdup(ry_plugin_name(p));
	s->section = ry_xasprintf("target %s", target);
	if (o)
		s->o = *o;
	if (!cfg && (rc = ry_config_load(&s->owned_cfg, NULL))) {
		ry_serving_close(s);
		return rc;
	}
	s->cfg = cfg ? cfg : s->owned_cfg;
	s->svc = (ry_plugin_services){
		.version = RY_PLUGIN_ABI, .host = (ry_plugin_host *)(void *)s, .artifact_open = svc_artifact_open,
		.host_exec = svc_host_exec, .log = svc_log, .error = svc_error, .option = svc_option,
		.progress = svc_progress, .host_put = svc_host_put, .option_at = svc_option_at,
	};
	ry_error_clear();
	if ((rc = ops->open(&s->self, ops->data, &s->svc, target))) {
		if (!*ry_error_last())
			ry_error_set(rc, "plugin %s could not open target %s (code %d)", s->name, target, rc);
		s->self = NULL;
		ry_serving_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* A plugin failed without saying why: say that much. */
static int said(ry_serving *s, int rc, const char *what)
{
	if (rc && !*ry_error_last())
		ry_error_set(rc, "plugin %s: %s failed (code %d) and said nothing more", s->name, what, rc);
	return rc;
}

int ry_serving_deploy(ry_serving *s, const ry_plugin_deploy *d, char **handle, char **endpoint)
{
	*handle = *endpoint = NULL;
	if (!s->ops->deploy)
		return ry_error_set(RY_EREFUSED, "plugin %s cannot deploy", s->name);
	ry_error_clear();
	return said(s, s->ops->deploy(s->self, d, handle, endpoint), "deploy");
}

int ry_serving_status(ry_serving *s, const char *handle, char **status, char **detail)
{
	*status = *detail = NULL;
	if (!s->ops->status)
		return ry_error_set(RY_EREFUSED, "plugin %s cannot report a deployment's status", s->name);
	ry_error_clear();
	int rc = said(s, s->ops->status(s->self, handle, status, detail), "status");
	if (rc == 0 && (!*status || (strcmp(*status, "starting") && strcmp(*status, "ready") &&
	                             strcmp(*status, "failed") && strcmp(*status, "stopped")))) {
		char *safe = ry_sanitize_dup(*status ? *status : "");
		rc = ry_error_set(RY_ERROR, "plugin %s: status '%s' is not starting, ready, failed or stopped", s->name,
		                  safe);
		free(safe);
		free(*status);
		free(*detail);
		*status = *detail = NULL;
	}
	return rc;
}

int ry_serving_undeploy(ry_serving *s, const char *handle)
{
	if (!s->ops->undeploy)
		return ry_error_set(RY_EREFUSED, "plugin %s cannot undeploy", s->name);
	ry_error_clear();
	return said(s, s->ops->undeploy(s->self, handle), "undeploy");
}

int ry_serving_logs(ry_serving *s, const char *handle, size_t max_bytes, char **text)
{
	*text = NULL;
	if (!s->ops->logs)
		return ry_error_set(RY_EREFUSED, "plugin %s keeps no logs it can show", s->name);
	ry_error_clear();
	return said(s, s->ops->logs(s->self, handle, max_bytes, text), "logs");
}

void ry_serving_close(ry_serving *s)
{
	if (!s)
		return;
	if (s->self)
		s->ops->close(s->self);
	for (size_t i = 0; i < s->nconns; i++) {
		ry_ssh_close(s->conns[i].ssh);
		free(s->conns[i].host);
	}
	free(s->conns);
	ry_inventory_free(s->inv);
	ry_config_free(s->owned_cfg);
	ry_plugin_free(s->plugin);
	free(s->section);
	free(s->name);
	free(s);
}
