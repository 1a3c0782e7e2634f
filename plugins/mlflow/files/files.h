/*
 * The file-store backend's insides, shared by its files: files.c (the
 * store: experiments, the walk over runs, the ops table), run.c (one run
 * directory into an mlf_run) and registry.c (models/).
 *
 * Every error names the file it is about; paths are the store's root
 * joined with what MLflow put under it.
 */
#ifndef RY_PLUGINS_MLFLOW_FILES_FILES_H
#define RY_PLUGINS_MLFLOW_FILES_FILES_H

#include "plugins/mlflow/mlflow.h"
#include "plugins/mlflow/files/yaml.h"

#include <stdbool.h>
#include <stddef.h>

/* The open store. */
typedef struct mlf_files {
	const ry_plugin_services *svc; /* lent */
	char *source;                  /* as the user typed it */
	char *root;                    /* the mlruns/ directory */
} mlf_files;

/* The whole of file `path` (malloc'd, NUL-terminated; *len without the
 * NUL).  An error names the file. */
int mlf_files_read(const mlf_files *fs, const char *path, char **text, size_t *len);
/* Parse meta.yaml at `path`; an error names the file and the line. */
int mlf_files_meta(const mlf_files *fs, const char *path, mlf_yaml **out);
/* The names of the entries of directory `dir` (sorted; *names and each
 * name malloc'd), directories only or files only.  A missing directory is
 * an empty list when `optional`. */
int mlf_files_list(const mlf_files *fs, const char *dir, bool dirs, bool optional, char ***names, size_t *n);
void mlf_files_names_free(char **names, size_t n);
/* Every file under `dir`, at any depth, as a path relative to it ("a/b"):
 * MLflow's keys with slashes are subdirectories.  Missing: none. */
int mlf_files_tree(const mlf_files *fs, const char *dir, char ***names, size_t *n);

/* Read run directory `dir` of experiment `exp_id` named `exp_name`.
 * *skip is set (and 0 returned, r left empty) for a run MLflow itself does
 * not list: a deleted one.  With `histories`, the whole metric histories
 * are read into r too; without, only r->latest (what the fingerprint
 * needs).  An unreadable run is an error naming the file. */
int mlf_files_run(const mlf_files *fs, const char *dir, const char *exp_id, const char *exp_name, bool histories,
                  mlf_run *r, bool *skip);

/* Import models/ (registry.c). */
int mlf_files_registry(mlf_files *fs);

/* One line p[0..e) of a metrics file (run.c): "ts value" or "ts value step",
 * single spaces; false when it is not that (exposed for tests/fuzz). */
bool mlf_files__parse_point(const char *p, const char *e, int64_t *ts, double *v, int64_t *step);

#endif
