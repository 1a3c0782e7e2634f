/*
 * SSH sessions to a host (libssh2): connect, verify the host key, log in,
 * run commands, move files over SFTP.
 *
 * Designed to be driven from a background thread of the TUI:
 *  - no global state besides libssh2's one-time init (done here, once);
 *  - one ry_ssh per call site and thread: a session is never shared between
 *    threads while in use, but different threads may hold different ones;
 *  - every operation has a deadline (options.timeout_ms, or the per-call
 *    timeout) and watches options.cancel: set *cancel to non-zero from any
 *    thread and the operation in progress returns RY_EIO ("cancelled")
 *    within about 100 ms;
 *  - long transfers report progress through a ry_progress_fn.
 *
 * Host keys are checked against the known_hosts file of the ry_sshhost
 * (hashed entries too).  An unknown host or a changed key is refused with
 * RY_EREFUSED and a message that gives the SHA256 fingerprint and the
 * command to trust the host; nothing is ever accepted automatically.
 *
 * Authentication, in OpenSSH's order: with IdentityFile set, the agent's
 * copies of those keys, then each existing IdentityFile in order, then the
 * agent's other keys unless IdentitiesOnly; without it, the agent's keys,
 * then the default key files.  An encrypted key is offered to the
 * passphrase callback; the passphrase is wiped after use and never stored.
 */
#ifndef RY_SSH_H
#define RY_SSH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/progress.h"
#include "remote/sshconfig.h"

/* Ask for the passphrase of `keyfile`: write a NUL-terminated passphrase into
 * buf (size bytes) and return 0, or return non-zero to skip that key.
 * Called on the worker thread, possibly from several at once (hosts are
 * probed and synced in parallel): the callback serialises its questions
 * (the CLI's terminal prompt and the TUI's broker do). */
typedef int (*ry_ssh_passphrase_fn)(const char *keyfile, char *buf, size_t size, void *payload);

/* Why a connection failed, for a short label in a host list. */
typedef enum ry_ssh_fail {
	RY_SSH_OK = 0,
	RY_SSH_DNS,             /* the host name does not resolve */
	RY_SSH_REFUSED,         /* nothing listens on the port */
	RY_SSH_TIMEOUT,         /* no answer in time */
	RY_SSH_NETWORK,         /* other socket error, or the link dropped */
	RY_SSH_HOSTKEY_UNKNOWN, /* host not in known_hosts */
	RY_SSH_HOSTKEY_CHANGED, /* host key differs from known_hosts */
	RY_SSH_AUTH,            /* no key was accepted */
	RY_SSH_PROTOCOL,        /* handshake or channel failure */
	RY_SSH_CANCELLED,
	RY_SSH_HOSTKEY_REVOKED, /* host key marked @revoked in known_hosts */
} ry_ssh_fail;

/* "dns", "refused", "timeout", "network", "unknown host key",
 * "host key changed", "auth", "protocol", "cancelled", "revoked host key"
 * (static). */
const char *ry_ssh_fail_name(ry_ssh_fail f);

typedef struct ry_ssh_options {
	unsigned version;
	int timeout_ms;                  /* connect + handshake + auth, and the default for
	                                    each later operation; <= 0: 10000 */
	const atomic_int *cancel;        /* optional: non-zero cancels what is in progress */
	ry_ssh_passphrase_fn passphrase; /* optional */
	void *payload;                   /* for passphrase */
	bool use_agent;                  /* try $SSH_AUTH_SOCK first (default true) */
	const ry_sshconfig *config;      /* optional: resolves the ProxyJump host's alias */
} ry_ssh_options;
#define RY_SSH_OPTIONS_INIT { 1, 10000, NULL, NULL, NULL, true, NULL }

typedef struct ry_ssh ry_ssh;

/* Connect to `h` (through its one ProxyJump host if set), verify the host
 * key, authenticate.  On failure *out is NULL, the code is RY_EIO (network,
 * timeout, cancel), RY_EREFUSED (host key) or RY_ERROR (auth, protocol), the
 * message says what to do, and *why (if not NULL) classifies it.  The
 * options are copied (cancel and payload pointers must outlive the session).
 * Caller closes with ry_ssh_close. */
int ry_ssh_connect(ry_ssh **out, const ry_sshhost *h, const ry_ssh_options *o, ry_ssh_fail *why);

/* Disconnect and free; accepts NULL.  Never blocks longer than ~1 s. */
void ry_ssh_close(ry_ssh *s);

/* Why the last failed operation on s failed (RY_SSH_OK if it did not). */
ry_ssh_fail ry_ssh_last_fail(const ry_ssh *s);

/* Run `cmd`, a POSIX sh command line, with sh on the host, whatever the
 * user's login shell (it only runs `exec sh -c ...`: see
 * ry_shell_wrap_for_login_shell).  stdin_data (may be NULL) is
 * written to its standard input, which is then closed.  Output is appended
 * to out / err (either may be NULL to discard; each capped at 64 MiB).
 * *exit_status gets the exit code (or 128+signal, or -1 if the server sent
 * none).  timeout_ms <= 0 uses the session default.  A remote command that
 * fails is not an error of this call: check *exit_status. */
int ry_ssh_exec(ry_ssh *s, const char *cmd, const char *stdin_data, size_t stdin_len,
                ry_buf *out, ry_buf *err, int *exit_status, int timeout_ms);

/* SFTP.  Remote paths are as on the host; a leading "~/" means the login
 * user's home directory. */

/* Upload local file `local` to `remote` (written to remote + ".part" and
 * renamed, so a dropped link never leaves a half file under the final name). */
int ry_ssh_upload(ry_ssh *s, const char *local, const char *remote, int mode,
                  ry_progress_fn progress, void *payload);

/* Download `remote` into local file `local` (same .part + rename). */
int ry_ssh_download(ry_ssh *s, const char *remote, const char *local,
                    ry_progress_fn progress, void *payload);

/* Append up to `max` bytes of `remote` starting at byte `offset` to out.
 * A missing file is RY_ENOTFOUND.  *size (if not NULL) gets the file's
 * current size.  Used to pull logs and metrics incrementally. */
int ry_ssh_read_range(ry_ssh *s, const char *remote, int64_t offset, size_t max,
                      ry_buf *out, int64_t *size);

/* Size of a remote file: 0 and *size, or RY_ENOTFOUND. */
int ry_ssh_stat(ry_ssh *s, const char *remote, int64_t *size);

/* A remote path made into one shell word: "~/x y" -> "$HOME"/'x y'; anything
 * else is quoted whole (ry_shell_quote).  Appends to b. */
void ry_ssh_quote_path(ry_buf *b, const char *path);

#endif
