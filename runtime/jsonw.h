/* jsonw.h: writing JSON text to a stdio stream (state.json, `state`,
 * `list`, `features`): string escaping and nothing more. */
#ifndef UMLRUN_JSONW_H
#define UMLRUN_JSONW_H

#include <stdio.h>

/* Writes s as a quoted JSON string; NULL is written as "". */
void jsonw_str(FILE *f, const char *s);

#endif
