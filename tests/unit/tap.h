/* tap.h: a minimal TAP producer for the unit tests. */
#ifndef UMLRUN_TAP_H
#define UMLRUN_TAP_H

#include <stdio.h>

struct tap {
	int n;
	int failed;
};

#define TAP_OK(t, cond, ...)                                  \
	do {                                                  \
		(t)->n++;                                     \
		if (cond) {                                   \
			printf("ok %d - ", (t)->n);           \
		} else {                                      \
			(t)->failed++;                        \
			printf("not ok %d - ", (t)->n);       \
		}                                             \
		printf(__VA_ARGS__);                          \
		printf("\n");                                 \
	} while (0)

static inline int tap_done(struct tap *t)
{
	printf("1..%d\n", t->n);
	return t->failed ? 1 : 0;
}

#endif
