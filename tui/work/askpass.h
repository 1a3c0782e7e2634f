/*
 * The passphrase broker of the full-screen app.  The app's SSH work runs on
 * background threads (the hosts probe, launch and cancel jobs, the remote
 * sync), and only the main loop may draw; when core needs the passphrase of
 * an encrypted key, the worker's callback posts a question here and waits,
 * the main loop notices it between keys and opens a masked prompt, and the
 * answer goes straight into the waiting worker's buffer.
 *
 * One question is shown at a time; other askers wait their turn, and all
 * askers waiting for the same key get the one answer.  A key refused with
 * Esc is refused for the rest of the session without asking again.  The
 * broker never keeps a passphrase: it is copied into the askers' buffers
 * while they wait, and the prompt's buffer is wiped by the app.  An asker
 * whose cancel flag is raised, and every asker once the broker is shut
 * down, returns within about 100 ms with a refusal.
 */
#ifndef TUI_ASKPASS_H
#define TUI_ASKPASS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct tui_askpass;

/* A broker.  interactive false (headless scripts, no one to type): every
 * question is refused at once.  Free with tui_askpass_free. */
struct tui_askpass *tui_askpass_new(bool interactive);

/* Refuse every question waiting now or asked later (the app is closing).
 * Any thread; may be called twice; NULL ok. */
void tui_askpass_shutdown(struct tui_askpass *a);

/* Free the broker.  Every asker must have returned (its thread joined).
 * NULL ok. */
void tui_askpass_free(struct tui_askpass *a);

/* What a worker passes as the payload of tui_askpass_fn.  It must outlive
 * the SSH call that may ask. */
struct tui_askpass_client {
	struct tui_askpass *broker; /* NULL: refuse every question */
	const atomic_int *cancel;   /* optional: non-zero gives up waiting */
	atomic_int asked;           /* questions put to the user (not refused at once) */
};

/* A ry_ssh_passphrase_fn (core/remote/ssh.h) for worker threads: payload is a
 * struct tui_askpass_client.  Blocks until the user answers (0, the
 * passphrase NUL-terminated in buf, truncated to size - 1 bytes; the caller
 * wipes it) or refuses, the client is cancelled, or the broker shuts down
 * (non-zero).  Never call it on the main loop's thread: it would wait for
 * itself. */
int tui_askpass_fn(const char *keyfile, char *buf, size_t size, void *payload);

/* Main loop: the question to show now.  Returns its id (non-zero) and
 * copies its key file into keyfile; 0 when none is waiting.  The same
 * question keeps its id until answered or withdrawn (its asker gave up). */
unsigned long tui_askpass_pending(struct tui_askpass *a, char *keyfile, size_t n);

/* Main loop: answer question `id` with pass, or refuse it with NULL (the
 * key is then refused for the rest of the session).  Every asker waiting
 * for the same key gets the same answer.  Nothing happens if the question
 * was withdrawn.  pass is copied, never kept; the caller wipes its own. */
void tui_askpass_answer(struct tui_askpass *a, unsigned long id, const char *pass);

/* Whether the key was refused with Esc during this session. */
bool tui_askpass_refused(struct tui_askpass *a, const char *keyfile);

#endif
