/* dstfilter.h: the destinations a guest's frame may not have (dstfilter.c). */
#ifndef UMLRUN_NETSLIRP_DSTFILTER_H
#define UMLRUN_NETSLIRP_DSTFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the Ethernet frame f (len bytes, unfragmented or a fragment) is
 * addressed where the guest may not go: the host's loopback (127.0.0.0/8,
 * ::1), "this host" (0.0.0.0/8, ::), IPv4-compatible or -mapped IPv6
 * addresses, or the DNS address on a TCP or UDP port other than 53.
 * Frames too short to tell are left to libslirp, which drops them. */
bool nsl_dst_forbidden(const uint8_t *f, size_t len);

#endif
