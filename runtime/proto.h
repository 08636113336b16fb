/* proto.h: the framed protocol between the host runtime and the guest agent.
 * It travels over one UML serial line (guest /dev/ttyS0, raw mode) bound to a
 * host socketpair. Both ends run on the same machine, so integers are in host
 * byte order. Everything the guest sends is untrusted: the host bounds every
 * length and checks every type and state. */
#ifndef UMLRUN_PROTO_H
#define UMLRUN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 2
#define PROTO_HELLO_MAGIC "umlrun-agent"

/* Largest payload the host accepts from the guest, and the agent from the host. */
#define PROTO_MAX_GUEST_PAYLOAD (64u * 1024)
#define PROTO_MAX_HOST_PAYLOAD (1024u * 1024)
/* Host-side cap on stdin bytes sent but not yet acknowledged by the agent. */
#define PROTO_STDIN_WINDOW (256u * 1024)

/* Every frame carries a process id (sid): 0 is the container's process
 * (process.args), 1..PROTO_MAX_SID are `exec` processes. Frames about a
 * process (STDIN*, STDOUT, STDERR, SIGNAL, STARTED, EXIT) name it by sid;
 * the others use sid 0. */
#define PROTO_MAX_SID 4095

/* hdr.flags of P_SIGNAL: signal every process in the guest, not one. */
#define PROTO_SIGNAL_ALL 0x1

enum proto_type {
	P_HELLO = 1,     /* agent->host: PROTO_HELLO_MAGIC "\0" + u32 version */
	P_CONFIG = 2,    /* host->agent: TLV list (enum proto_tag) */
	P_READY = 3,     /* agent->host: root mounted, waiting for P_START */
	P_START = 4,     /* host->agent: run the workload */
	P_STARTED = 5,   /* agent->host: u32 guest pid of the workload */
	P_STDIN = 6,     /* host->agent: bytes for the workload's stdin */
	P_STDIN_EOF = 7, /* host->agent: close the workload's stdin */
	P_STDOUT = 8,    /* agent->host: bytes from the workload's stdout */
	P_STDERR = 9,    /* agent->host: bytes from the workload's stderr */
	P_STDIN_ACK = 10, /* agent->host: u32 stdin bytes consumed */
	P_SIGNAL = 11,   /* host->agent: u32 signal for the workload */
	P_EXIT = 12,     /* agent->host: i32 wait status of the workload; for sid 0
			  * optionally followed by struct proto_usage */
	P_ERROR = 13,    /* agent->host: text; setup failed, the guest powers off */
	P_EXEC = 14,     /* host->agent: start process sid; TLV list (T_ARG, T_ENV, T_CWD,
			  * T_UID, T_GID, T_GROUP, T_UMASK); answered by P_STARTED(sid)
			  * and later P_EXIT(sid), or P_EXEC_FAIL(sid) */
	P_EXEC_FAIL = 15, /* agent->host: text; process sid could not be started */
	P_RESIZE = 16,   /* host->agent: u16 rows, u16 cols of process sid's terminal */
	P_TYPE_MAX
};

/* Tags of the P_CONFIG TLV list. Strings carry no terminating NUL. */
enum proto_tag {
	T_ARG = 1,       /* repeated: process.args */
	T_ENV = 2,       /* repeated: process.env */
	T_CWD = 3,       /* string */
	T_UID = 4,       /* u32 */
	T_GID = 5,       /* u32 */
	T_GROUP = 6,     /* repeated u32: additional gids */
	T_UMASK = 7,     /* u32 */
	T_HOSTNAME = 8,  /* string */
	T_ROOT_RO = 9,   /* u8 */
	T_ROOT_SRC = 10, /* string: hostfs mount data (path below hostfs=) */
	T_DOMAINNAME = 11, /* string */
	T_ROOT_KIND = 12,  /* u8: enum root_kind (runtime/rootmode.h); absent: hostfs */
	T_ROOT_UPPER = 13, /* u64: overlay root's upper tmpfs size in bytes */
	/* ---- network (60-79; runtime/net.c, guestkernel/agent/net.c) ---- */
	T_NET_IFACE = 60,  /* string: the guest NIC to configure; absent: loopback only */
	T_NET_ADDR4 = 61,  /* 4 bytes address + 1 byte prefix length */
	T_NET_GW4 = 62,    /* 4 bytes: the default route's gateway */
	T_NET_MTU = 63,    /* u32 */
	T_NET_IPV6 = 64,   /* u8: 1 accept router advertisements, 0 IPv6 off on the NIC */
	T_NET_RESOLV = 65, /* string: the guest's /etc/resolv.conf */
	T_NET_HOSTS = 66,  /* string: the guest's /etc/hosts */
	/* 20-59: what the guest honours of config.json (runtime/agentcfg.c).
	 * Process tags (also in P_EXEC): */
	T_RLIMIT = 20,     /* repeated: u32 resource, u64 soft, u64 hard */
	T_NNP = 21,        /* u8: process.noNewPrivileges */
	T_CAPS = 22,       /* 5 x u64: bounding, effective, inheritable, permitted,
			    * ambient (absent: credentials decide, as without caps) */
	T_OOM_SCORE = 23,  /* i32: process.oomScoreAdj */
	T_TERMINAL = 24,   /* u8: the process gets a guest pty as its stdio */
	T_WINSIZE = 25,    /* u16 rows, u16 cols: the terminal's initial size */
	/* Config tags (P_CONFIG only): */
	T_MOUNT = 30,      /* repeated: struct proto_mount + its strings, in order */
	T_SYSCTL = 31,     /* repeated: "key\0value", key in dotted form */
	T_MASKED = 32,     /* repeated string: linux.maskedPaths[] */
	T_RO_PATH = 33,    /* repeated string: linux.readonlyPaths[] */
	T_SECCOMP = 34,    /* struct sock_filter[]: applied to every process */
	T_SECCOMP_FLAGS = 35, /* u32: SECCOMP_FILTER_FLAG_* for seccomp(2) */
	T_PIDS_MAX = 36,   /* u64: linux.resources.pids.limit (a guest cgroup) */
};

/* T_MOUNT payload: this header, then destination, type, source and data
 * (fs options), each without a NUL, of the given lengths. */
struct proto_mount {
	uint32_t index;       /* mounts[index] in config.json, for errors */
	uint32_t dest_len;
	uint32_t type_len;
	uint32_t source_len;
	uint32_t data_len;
	uint32_t pad;
	uint64_t flags;       /* MS_* for mount(2) */
	uint64_t propagation; /* MS_PRIVATE/SHARED/SLAVE/UNBINDABLE (| MS_REC), or 0 */
};

/* What the container's processes used in the guest (all of them: the
 * agent reaps every process), sent after sid 0's exit status. */
struct proto_usage {
	uint64_t cpu_us;    /* user + system CPU time */
	uint64_t maxrss_kb; /* the largest process's peak resident memory */
};

struct proto_hdr {
	uint32_t len;   /* payload bytes that follow */
	uint8_t type;   /* enum proto_type */
	uint8_t flags;  /* per type; 0 unless stated */
	uint16_t sid;   /* the process the frame is about */
};

/* A growable byte buffer, used for outgoing frames and TLV lists. */
struct pbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t off; /* bytes already consumed from the front */
};

int pbuf_reserve(struct pbuf *b, size_t extra);
int pbuf_add(struct pbuf *b, const void *data, size_t len);
void pbuf_consume(struct pbuf *b, size_t n);
void pbuf_free(struct pbuf *b);
static inline size_t pbuf_pending(const struct pbuf *b) { return b->len - b->off; }

/* Appends one frame (header + payload) to b: proto_frame() about process 0,
 * proto_frame_to() about process sid with the given flags. */
int proto_frame(struct pbuf *b, uint8_t type, const void *payload, size_t len);
int proto_frame_u32(struct pbuf *b, uint8_t type, uint32_t v);
int proto_frame_to(struct pbuf *b, uint8_t type, uint16_t sid, uint8_t flags,
		   const void *payload, size_t len);

/* Appends one TLV (u16 tag, u16 zero, u32 len, data) to b. */
int proto_tlv(struct pbuf *b, uint16_t tag, const void *data, size_t len);
int proto_tlv_str(struct pbuf *b, uint16_t tag, const char *s);
int proto_tlv_u32(struct pbuf *b, uint16_t tag, uint32_t v);

/* Iterates a TLV list: returns 1 and fills tag/data/len, 0 at the end,
 * -1 if the list is malformed. *pos starts at 0. */
int proto_tlv_next(const uint8_t *list, size_t list_len, size_t *pos, uint16_t *tag,
		   const uint8_t **data, uint32_t *len);

/* Frame reassembly from a byte stream. Feed bytes with proto_rx_space() +
 * proto_rx_commit(), then take frames with proto_rx_next(). */
struct proto_rx {
	uint8_t *buf;
	size_t cap; /* header + max payload */
	size_t len;
	size_t off;
	uint32_t max_payload;
	uint16_t sid;   /* sid and flags of the frame proto_rx_next() returned last */
	uint8_t flags;
};

int proto_rx_init(struct proto_rx *r, uint32_t max_payload);
void proto_rx_free(struct proto_rx *r);
/* Space at the end of the buffer to read into (compacts first). */
uint8_t *proto_rx_space(struct proto_rx *r, size_t *avail);
void proto_rx_commit(struct proto_rx *r, size_t n);
/* Returns 1 with a frame (payload points into the buffer, valid until the
 * next space/commit; its sid and flags in r->sid, r->flags), 0 if more
 * bytes are needed, -1 if the stream is malformed (oversized, unknown type,
 * sid above PROTO_MAX_SID). */
int proto_rx_next(struct proto_rx *r, uint8_t *type, const uint8_t **payload, uint32_t *len);

#endif
