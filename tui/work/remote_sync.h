/*
 * While the full-screen app is open, running remote jobs keep streaming in:
 * a background thread syncs them (logs, metrics, status, cost) every few
 * seconds through core's ry_remote_sync, on its own workspace connection.
 * It never touches the screen: the app's data_version polling sees what it
 * wrote and redraws.  Nothing runs while no remote run is running.
 */
#ifndef TUI_REMOTE_SYNC_H
#define TUI_REMOTE_SYNC_H

struct tui_syncer;
struct tui_askpass;

/* Start syncing the workspace at db_path every interval seconds (the first
 * pass runs at once: every TUI start settles remote runs).  Encrypted keys
 * are asked for through askpass (NULL: skipped), which must outlive the
 * syncer; after a pass that had to ask, the next waits TUI_SYNC_ASKED_INTERVAL
 * seconds instead, so the user is not asked every few seconds.  NULL if
 * the thread could not be started (the app works without it). */
#define TUI_SYNC_ASKED_INTERVAL 60.0
struct tui_syncer *tui_syncer_start(const char *db_path, double interval, struct tui_askpass *askpass);

/* Stop: cancels an SSH operation in flight and joins the thread.  Accepts
 * NULL. */
void tui_syncer_stop(struct tui_syncer *s);

#endif
