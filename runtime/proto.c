/* proto.c: frame and TLV encoding/decoding for proto.h; linked into both the
 * host runtime and the static guest agent, so it uses only libc. */
#include "proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pbuf_reserve(struct pbuf *b, size_t extra)
{
	size_t need, ncap;
	uint8_t *n;

	if (b->off > 0 && b->off == b->len) {
		b->off = 0;
		b->len = 0;
	}
	if (extra > SIZE_MAX - b->len) {
		errno = ENOMEM;
		return -1;
	}
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	if (b->off > 0) { /* compact before growing */
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		need = b->len + extra;
		if (need <= b->cap)
			return 0;
	}
	ncap = b->cap ? b->cap : 4096;
	while (ncap < need)
		ncap *= 2;
	n = realloc(b->data, ncap);
	if (n == NULL)
		return -1;
	b->data = n;
	b->cap = ncap;
	return 0;
}

int pbuf_add(struct pbuf *b, const void *data, size_t len)
{
	if (pbuf_reserve(b, len) < 0)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

void pbuf_consume(struct pbuf *b, size_t n)
{
	b->off += n;
	if (b->off >= b->len) {
		b->off = 0;
		b->len = 0;
	}
}

void pbuf_free(struct pbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int proto_frame_to(struct pbuf *b, uint8_t type, uint16_t sid, uint8_t flags,
		   const void *payload, size_t len)
{
	struct proto_hdr h = { .len = (uint32_t)len, .type = type, .flags = flags, .sid = sid };

	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (pbuf_reserve(b, sizeof(h) + len) < 0)
		return -1;
	pbuf_add(b, &h, sizeof(h));
	return pbuf_add(b, payload, len);
}

int proto_frame(struct pbuf *b, uint8_t type, const void *payload, size_t len)
{
	return proto_frame_to(b, type, 0, 0, payload, len);
}

int proto_frame_u32(struct pbuf *b, uint8_t type, uint32_t v)
{
	return proto_frame(b, type, &v, sizeof(v));
}

int proto_tlv(struct pbuf *b, uint16_t tag, const void *data, size_t len)
{
	uint16_t th[2] = { tag, 0 };
	uint32_t l = (uint32_t)len;

	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (pbuf_reserve(b, sizeof(th) + sizeof(l) + len) < 0)
		return -1;
	pbuf_add(b, th, sizeof(th));
	pbuf_add(b, &l, sizeof(l));
	return pbuf_add(b, data, len);
}

int proto_tlv_str(struct pbuf *b, uint16_t tag, const char *s)
{
	return proto_tlv(b, tag, s, strlen(s));
}

int proto_tlv_u32(struct pbuf *b, uint16_t tag, uint32_t v)
{
	return proto_tlv(b, tag, &v, sizeof(v));
}

int proto_tlv_next(const uint8_t *list, size_t list_len, size_t *pos, uint16_t *tag,
		   const uint8_t **data, uint32_t *len)
{
	uint16_t th[2];
	uint32_t l;

	if (*pos == list_len)
		return 0;
	if (*pos > list_len || list_len - *pos < sizeof(th) + sizeof(l))
		return -1;
	memcpy(th, list + *pos, sizeof(th));
	memcpy(&l, list + *pos + sizeof(th), sizeof(l));
	*pos += sizeof(th) + sizeof(l);
	if (l > list_len - *pos)
		return -1;
	*tag = th[0];
	*data = list + *pos;
	*len = l;
	*pos += l;
	return 1;
}

int proto_rx_init(struct proto_rx *r, uint32_t max_payload)
{
	memset(r, 0, sizeof(*r));
	r->max_payload = max_payload;
	r->cap = sizeof(struct proto_hdr) + max_payload;
	r->buf = malloc(r->cap);
	return r->buf ? 0 : -1;
}

void proto_rx_free(struct proto_rx *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

uint8_t *proto_rx_space(struct proto_rx *r, size_t *avail)
{
	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	*avail = r->cap - r->len;
	return r->buf + r->len;
}

void proto_rx_commit(struct proto_rx *r, size_t n)
{
	r->len += n;
}

int proto_rx_next(struct proto_rx *r, uint8_t *type, const uint8_t **payload, uint32_t *len)
{
	struct proto_hdr h;
	size_t have = r->len - r->off;

	if (have < sizeof(h))
		return 0;
	memcpy(&h, r->buf + r->off, sizeof(h));
	if (h.len > r->max_payload || h.type == 0 || h.type >= P_TYPE_MAX ||
	    h.sid > PROTO_MAX_SID)
		return -1;
	if (have < sizeof(h) + h.len)
		return 0;
	*type = h.type;
	*payload = r->buf + r->off + sizeof(h);
	*len = h.len;
	r->sid = h.sid;
	r->flags = h.flags;
	r->off += sizeof(h) + h.len;
	return 1;
}
