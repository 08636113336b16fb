/* test-proto.c: unit tests of frame and TLV encoding, and of the frame
 * parser's defences against hostile guest input. */
#include <stdlib.h>
#include <string.h>

#include "../../runtime/proto.h"
#include "tap.h"

static void feed(struct proto_rx *r, const uint8_t *p, size_t n)
{
	size_t avail;
	uint8_t *space = proto_rx_space(r, &avail);

	if (n > avail)
		n = avail;
	memcpy(space, p, n);
	proto_rx_commit(r, n);
}

int main(void)
{
	struct tap t = { 0 };
	struct pbuf b = { 0 }, l = { 0 };
	struct proto_rx rx;
	const uint8_t *payload, *data;
	uint32_t len, v;
	uint16_t tag;
	uint8_t type;
	size_t pos = 0;

	/* round trip, byte by byte */
	proto_frame(&b, P_STDOUT, "hello", 5);
	proto_frame_u32(&b, P_EXIT, 42);
	proto_rx_init(&rx, PROTO_MAX_GUEST_PAYLOAD);
	int got = 0, frames = 0;
	for (size_t i = 0; i < b.len; i++) {
		feed(&rx, b.data + i, 1);
		while ((got = proto_rx_next(&rx, &type, &payload, &len)) == 1) {
			frames++;
			if (frames == 1)
				TAP_OK(&t, type == P_STDOUT && len == 5 && memcmp(payload, "hello", 5) == 0,
				       "first frame is STDOUT \"hello\"");
			else {
				memcpy(&v, payload, 4);
				TAP_OK(&t, type == P_EXIT && len == 4 && v == 42, "second frame is EXIT 42");
			}
		}
		if (got < 0)
			break;
	}
	TAP_OK(&t, frames == 2 && got == 0, "byte-at-a-time feeding yields exactly two frames");
	proto_rx_free(&rx);
	pbuf_free(&b);

	/* oversized frame from a hostile guest */
	struct proto_hdr h = { .len = PROTO_MAX_GUEST_PAYLOAD + 1, .type = P_STDOUT };
	proto_rx_init(&rx, PROTO_MAX_GUEST_PAYLOAD);
	feed(&rx, (uint8_t *)&h, sizeof(h));
	TAP_OK(&t, proto_rx_next(&rx, &type, &payload, &len) == -1, "oversized frame is rejected");
	proto_rx_free(&rx);

	/* unknown types */
	h = (struct proto_hdr){ .len = 0, .type = P_TYPE_MAX };
	proto_rx_init(&rx, PROTO_MAX_GUEST_PAYLOAD);
	feed(&rx, (uint8_t *)&h, sizeof(h));
	TAP_OK(&t, proto_rx_next(&rx, &type, &payload, &len) == -1, "unknown frame type is rejected");
	proto_rx_free(&rx);
	h = (struct proto_hdr){ .len = 0, .type = 0 };
	proto_rx_init(&rx, PROTO_MAX_GUEST_PAYLOAD);
	feed(&rx, (uint8_t *)&h, sizeof(h));
	TAP_OK(&t, proto_rx_next(&rx, &type, &payload, &len) == -1, "frame type 0 is rejected");
	proto_rx_free(&rx);

	/* a maximal frame fits */
	uint8_t *big = calloc(1, PROTO_MAX_GUEST_PAYLOAD);
	proto_frame(&b, P_STDERR, big, PROTO_MAX_GUEST_PAYLOAD);
	proto_rx_init(&rx, PROTO_MAX_GUEST_PAYLOAD);
	feed(&rx, b.data, b.len);
	TAP_OK(&t, proto_rx_next(&rx, &type, &payload, &len) == 1 && len == PROTO_MAX_GUEST_PAYLOAD,
	       "a frame of exactly the maximum payload is accepted");
	proto_rx_free(&rx);
	pbuf_free(&b);
	free(big);

	/* TLV */
	proto_tlv_str(&l, T_ARG, "sh");
	proto_tlv_str(&l, T_ARG, "");
	proto_tlv_u32(&l, T_UID, 1000);
	TAP_OK(&t, proto_tlv_next(l.data, l.len, &pos, &tag, &data, &len) == 1 && tag == T_ARG &&
			   len == 2 && memcmp(data, "sh", 2) == 0,
	       "TLV 1 is ARG sh");
	TAP_OK(&t, proto_tlv_next(l.data, l.len, &pos, &tag, &data, &len) == 1 && tag == T_ARG && len == 0,
	       "TLV 2 is an empty ARG");
	TAP_OK(&t, proto_tlv_next(l.data, l.len, &pos, &tag, &data, &len) == 1 && tag == T_UID &&
			   len == 4 && memcmp(data, &(uint32_t){ 1000 }, 4) == 0,
	       "TLV 3 is UID 1000");
	TAP_OK(&t, proto_tlv_next(l.data, l.len, &pos, &tag, &data, &len) == 0, "TLV list ends");
	pos = 0;
	TAP_OK(&t, proto_tlv_next(l.data, l.len - 1, &pos, &tag, &data, &len) == 1 &&
			   proto_tlv_next(l.data, l.len - 1, &pos, &tag, &data, &len) == 1 &&
			   proto_tlv_next(l.data, l.len - 1, &pos, &tag, &data, &len) == -1,
	       "truncated TLV list is rejected");
	pbuf_free(&l);

	/* pbuf consume/compact keeps data */
	proto_frame(&b, P_STDIN, "abc", 3);
	pbuf_consume(&b, sizeof(struct proto_hdr));
	proto_frame(&b, P_STDIN, "def", 3);
	TAP_OK(&t, pbuf_pending(&b) == 3 + sizeof(struct proto_hdr) + 3 &&
			   memcmp(b.data + b.off, "abc", 3) == 0,
	       "pbuf keeps unconsumed bytes in order");
	pbuf_free(&b);
	return tap_done(&t);
}
