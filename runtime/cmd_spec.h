/* cmd_spec.h: `umlrun spec`, which writes a starter config.json. */
#ifndef UMLRUN_CMD_SPEC_H
#define UMLRUN_CMD_SPEC_H

#include "error.h"

/* argv[0] is "spec"; options: -b/--bundle DIR, --rootless, -h/--help.
 * Returns the exit code (0, or 1 after a usage message), or -1 with err
 * set. */
int cmd_spec_main(int argc, char **argv, struct uerr *err);

#endif
