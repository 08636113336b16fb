/* commands.h: the umlrun subcommands. Each takes the global options and
 * its own argv (argv[0] is the command's name) and returns the process's
 * exit code; errors are reported through the global log before returning. */
#ifndef UMLRUN_COMMANDS_H
#define UMLRUN_COMMANDS_H

#include "error.h"
#include "log.h"

struct global_opts {
	const char *root;
	const char *kernel;
	struct log_ctx log;
};

/* Reports err through the log and returns 1. */
int cmd_fail(const struct global_opts *g, const struct uerr *err);

/* Prints a command's usage to stderr and returns 1. */
int cmd_usage_error(const char *usage);

/* cmd_run.c */
int cmd_run(const struct global_opts *g, int argc, char **argv);
int cmd_bundle(const struct global_opts *g, int argc, char **argv);
int cmd_create(const struct global_opts *g, int argc, char **argv);
int cmd_start(const struct global_opts *g, int argc, char **argv);

/* cmd_state.c */
int cmd_state(const struct global_opts *g, int argc, char **argv);
int cmd_list(const struct global_opts *g, int argc, char **argv);
int cmd_kill(const struct global_opts *g, int argc, char **argv);
int cmd_delete(const struct global_opts *g, int argc, char **argv);
int cmd_pause(const struct global_opts *g, int argc, char **argv);
int cmd_resume(const struct global_opts *g, int argc, char **argv);

/* cmd_info.c */
int cmd_ps(const struct global_opts *g, int argc, char **argv);
int cmd_features(const struct global_opts *g, int argc, char **argv);

/* cmd_service.c */
int cmd_logs(const struct global_opts *g, int argc, char **argv);
int cmd_stop(const struct global_opts *g, int argc, char **argv);
int cmd_attach(const struct global_opts *g, int argc, char **argv);

/* cmd_exec.c */
int cmd_exec(const struct global_opts *g, int argc, char **argv);

/* cmd_image.c */
int cmd_image(const struct global_opts *g, int argc, char **argv);

#endif
