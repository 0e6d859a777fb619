// rtptool: the packet-level helpers of `npm run bench:capacity`, in C so that the load generator
// and the sinks cost little next to what they measure, plus the physical reference: a raw UDP
// relay doing SRTP-like work per forwarded packet.
//
//   rtptool gen  <video.rtp> <audio.rtp> <dst-ip> <stream>...   stream = v:<port>:<ssrc> | a:<port>:<ssrc>
//       Replays the captured RTP packets of each stream to its port, in real time (by RTP
//       timestamp), looping forever with continuous sequence numbers and timestamps. Each stream
//       starts at a random phase so that many streams do not burst together.
//   rtptool sink <count>
//       Binds <count> UDP sockets on 127.0.0.1 (ports printed as "ports p1 p2 ..."), counts RTP
//       packets per SSRC and the sequence gaps; prints "stats <received> <expected> <streams> <silent>"
//       every second (silent: streams that received nothing during that second).
//   rtptool relay <key-hex32> <input>...                        input = <port>,<port>,... (its fan-out)
//       Binds one UDP socket per input (ports printed), and forwards each packet to every port of
//       its fan-out on 127.0.0.1 after AES-128-CTR over the payload and HMAC-SHA1 (80-bit tag)
//       over the packet, with OpenSSL: the per-packet work of an SRTP sender.
//
// Capture file format: repeated [u16 length, big endian][packet bytes].
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PKT 1500
#define MAX_STREAMS 4096

static void die(const char *what) {
  perror(what);
  exit(1);
}

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int udp_socket(uint16_t port, uint16_t *bound) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) die("socket");
  int size = 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  if (bound) *bound = ntohs(a.sin_port);
  return fd;
}

/* ---------------------------------------------------------------- capture files */

typedef struct {
  uint8_t **pkts;
  uint16_t *lens;
  size_t count;
  uint32_t first_ts, span; /* RTP timestamp of the first packet; clip length in RTP ticks */
} clip_t;

static void load_clip(const char *path, uint32_t clock_rate, clip_t *c) {
  FILE *f = fopen(path, "rb");
  if (!f) die(path);
  size_t cap = 1024;
  c->pkts = malloc(cap * sizeof *c->pkts);
  c->lens = malloc(cap * sizeof *c->lens);
  c->count = 0;
  uint8_t hdr[2];
  while (fread(hdr, 1, 2, f) == 2) {
    uint16_t len = (uint16_t)(hdr[0] << 8 | hdr[1]);
    if (len < 12 || len > MAX_PKT) {
      fprintf(stderr, "bad packet length %u in %s\n", len, path);
      exit(1);
    }
    if (c->count == cap) {
      cap *= 2;
      c->pkts = realloc(c->pkts, cap * sizeof *c->pkts);
      c->lens = realloc(c->lens, cap * sizeof *c->lens);
    }
    c->pkts[c->count] = malloc(len);
    if (fread(c->pkts[c->count], 1, len, f) != len) die("short read");
    c->lens[c->count++] = len;
  }
  fclose(f);
  if (c->count < 2) {
    fprintf(stderr, "%s: too few packets\n", path);
    exit(1);
  }
  uint32_t first, last;
  memcpy(&first, c->pkts[0] + 4, 4);
  memcpy(&last, c->pkts[c->count - 1] + 4, 4);
  c->first_ts = ntohl(first);
  /* one frame interval past the last packet, so the loop keeps the cadence */
  uint32_t frame = clock_rate / (clock_rate == 90000 ? 30 : 50);
  c->span = ntohl(last) - c->first_ts + frame;
}

/* ---------------------------------------------------------------- gen */

typedef struct {
  clip_t *clip;
  uint32_t clock_rate;
  struct sockaddr_in dst;
  uint32_t ssrc;
  size_t index;   /* next packet in the clip */
  uint64_t loop;  /* how many times the clip has wrapped */
  uint16_t seq;   /* continuous sequence number */
  uint64_t start; /* wall clock (us) of RTP time first_ts in loop 0 */
} stream_t;

static uint64_t due_us(const stream_t *s) {
  uint32_t ts;
  memcpy(&ts, s->clip->pkts[s->index] + 4, 4);
  uint64_t ticks = (uint64_t)(ntohl(ts) - s->clip->first_ts) + s->loop * s->clip->span;
  return s->start + ticks * 1000000u / s->clock_rate;
}

static int cmd_gen(int argc, char **argv) {
  if (argc < 5) return 2;
  static clip_t video, audio;
  load_clip(argv[1], 90000, &video);
  load_clip(argv[2], 48000, &audio);
  struct in_addr ip;
  if (!inet_aton(argv[3], &ip)) die("dst ip");
  int n = argc - 4;
  stream_t *streams = calloc((size_t)n, sizeof *streams);
  int fd = udp_socket(0, NULL);
  uint64_t t0 = now_us();
  srand((unsigned)getpid());
  for (int i = 0; i < n; i++) {
    char kind;
    unsigned port, ssrc;
    if (sscanf(argv[4 + i], "%c:%u:%u", &kind, &port, &ssrc) != 3) {
      fprintf(stderr, "bad stream %s\n", argv[4 + i]);
      return 2;
    }
    stream_t *s = &streams[i];
    s->clip = kind == 'v' ? &video : &audio;
    s->clock_rate = kind == 'v' ? 90000 : 48000;
    s->dst = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = ip};
    s->ssrc = htonl(ssrc);
    s->seq = (uint16_t)rand();
    /* random phase within one clip, so streams spread over time */
    s->index = (size_t)rand() % s->clip->count;
    uint32_t ts;
    memcpy(&ts, s->clip->pkts[s->index] + 4, 4);
    uint64_t offset = (uint64_t)(ntohl(ts) - s->clip->first_ts) * 1000000u / s->clock_rate;
    s->start = t0 - offset;
  }
  uint8_t buf[MAX_PKT];
  for (;;) {
    uint64_t now = now_us(), next = now + 20000;
    for (int i = 0; i < n; i++) {
      stream_t *s = &streams[i];
      uint64_t due;
      while ((due = due_us(s)) <= now) {
        uint16_t len = s->clip->lens[s->index];
        memcpy(buf, s->clip->pkts[s->index], len);
        uint16_t seq = htons(s->seq++);
        uint32_t ts;
        memcpy(&ts, buf + 4, 4);
        ts = htonl(ntohl(ts) + (uint32_t)(s->loop * s->clip->span));
        memcpy(buf + 2, &seq, 2);
        memcpy(buf + 4, &ts, 4);
        memcpy(buf + 8, &s->ssrc, 4);
        sendto(fd, buf, len, 0, (struct sockaddr *)&s->dst, sizeof s->dst);
        if (++s->index == s->clip->count) {
          s->index = 0;
          s->loop++;
        }
      }
      if (due < next) next = due;
    }
    uint64_t after = now_us();
    if (next > after) {
      uint64_t wait = next - after;
      struct timespec ts = {.tv_sec = (time_t)(wait / 1000000u), .tv_nsec = (long)(wait % 1000000u) * 1000};
      nanosleep(&ts, NULL);
    }
  }
}

/* ---------------------------------------------------------------- sink */

typedef struct {
  uint32_t ssrc;
  uint64_t received, reported;
  uint32_t cycles;  /* sequence wraps */
  uint16_t first, max;
  int started;
} ssrc_stat_t;

static ssrc_stat_t stats[MAX_STREAMS];
static int nstats;

static ssrc_stat_t *stat_for(uint32_t ssrc) {
  for (int i = 0; i < nstats; i++)
    if (stats[i].ssrc == ssrc) return &stats[i];
  if (nstats == MAX_STREAMS) return NULL;
  stats[nstats].ssrc = ssrc;
  return &stats[nstats++];
}

static void count(const uint8_t *p, ssize_t len) {
  if (len < 12 || (p[0] >> 6) != 2) return;
  uint8_t pt = p[1] & 0x7f;
  if (pt >= 72 && pt <= 79) return; /* RTCP on a muxed port */
  uint32_t ssrc;
  memcpy(&ssrc, p + 8, 4);
  uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
  ssrc_stat_t *s = stat_for(ssrc);
  if (!s) return;
  s->received++;
  if (!s->started) {
    s->started = 1;
    s->first = s->max = seq;
  } else if ((uint16_t)(seq - s->max) < 0x8000 && seq != s->max) {
    if (seq < s->max) s->cycles++;
    s->max = seq;
  }
}

static int cmd_sink(int argc, char **argv) {
  if (argc < 2) return 2;
  int n = atoi(argv[1]);
  int ep = epoll_create1(0);
  printf("ports");
  for (int i = 0; i < n; i++) {
    uint16_t port;
    int fd = udp_socket(0, &port);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    printf(" %u", port);
  }
  printf("\n");
  fflush(stdout);
  struct mmsghdr msgs[64];
  struct iovec iov[64];
  static uint8_t bufs[64][MAX_PKT];
  for (int i = 0; i < 64; i++) {
    iov[i] = (struct iovec){bufs[i], MAX_PKT};
    msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
  }
  uint64_t last = now_us();
  struct epoll_event events[64];
  for (;;) {
    int k = epoll_wait(ep, events, 64, 200);
    for (int e = 0; e < k; e++) {
      int got;
      while ((got = recvmmsg(events[e].data.fd, msgs, 64, MSG_DONTWAIT, NULL)) > 0)
        for (int i = 0; i < got; i++) count(bufs[i], msgs[i].msg_len);
    }
    uint64_t now = now_us();
    if (now - last >= 1000000u) {
      last = now;
      uint64_t received = 0, expected = 0;
      int silent = 0; /* streams that received nothing since the last report */
      for (int i = 0; i < nstats; i++) {
        received += stats[i].received;
        expected += (uint64_t)stats[i].cycles * 65536u + stats[i].max - stats[i].first + 1;
        if (stats[i].received == stats[i].reported) silent++;
        stats[i].reported = stats[i].received;
      }
      printf("stats %llu %llu %d %d\n", (unsigned long long)received, (unsigned long long)expected, nstats, silent);
      fflush(stdout);
    }
  }
}

/* ---------------------------------------------------------------- relay */

typedef struct {
  int fd;
  int nout;
  struct sockaddr_in *out;
} input_t;

static int cmd_relay(int argc, char **argv) {
  if (argc < 3 || strlen(argv[1]) != 32) return 2;
  uint8_t key[16], salt[14] = {0};
  for (int i = 0; i < 16; i++) sscanf(argv[1] + 2 * i, "%2hhx", &key[i]);
  int n = argc - 2;
  input_t *inputs = calloc((size_t)n, sizeof *inputs);
  int ep = epoll_create1(0);
  printf("ports");
  for (int i = 0; i < n; i++) {
    uint16_t port;
    inputs[i].fd = udp_socket(0, &port);
    printf(" %u", port);
    char *spec = strdup(argv[2 + i]);
    for (char *tok = strtok(spec, ","); tok; tok = strtok(NULL, ",")) {
      inputs[i].out = realloc(inputs[i].out, (size_t)(inputs[i].nout + 1) * sizeof *inputs[i].out);
      inputs[i].out[inputs[i].nout++] = (struct sockaddr_in){
          .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(tok)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &inputs[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, inputs[i].fd, &ev);
  }
  printf("\n");
  fflush(stdout);

  EVP_CIPHER_CTX *aes = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(aes, EVP_aes_128_ctr(), NULL, key, NULL);
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *hmac = EVP_MAC_CTX_new(mac);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0), OSSL_PARAM_construct_end()};
  uint8_t auth_key[20];
  memcpy(auth_key, key, 16);
  memset(auth_key + 16, 0x5c, 4);
  if (!EVP_MAC_init(hmac, auth_key, sizeof auth_key, params)) die("hmac init");

  uint8_t in[MAX_PKT], out[MAX_PKT + 10], tag[20];
  struct epoll_event events[64];
  for (;;) {
    int k = epoll_wait(ep, events, 64, -1);
    for (int e = 0; e < k; e++) {
      input_t *input = events[e].data.ptr;
      ssize_t len;
      while ((len = recv(input->fd, in, sizeof in, MSG_DONTWAIT)) >= 12) {
        for (int o = 0; o < input->nout; o++) {
          /* SRTP's IV: salt XOR (ssrc || packet index); the per-destination work is the point. */
          uint8_t iv[16] = {0};
          memcpy(iv, salt, 14);
          for (int b = 0; b < 4; b++) iv[4 + b] ^= in[8 + b];
          iv[12] ^= in[2];
          iv[13] ^= in[3];
          iv[11] ^= (uint8_t)o;
          int outl = 0;
          memcpy(out, in, 12);
          EVP_EncryptInit_ex(aes, NULL, NULL, NULL, iv);
          EVP_EncryptUpdate(aes, out + 12, &outl, in + 12, (int)len - 12);
          size_t taglen = 0;
          EVP_MAC_init(hmac, NULL, 0, NULL);
          EVP_MAC_update(hmac, out, (size_t)len);
          EVP_MAC_final(hmac, tag, &taglen, sizeof tag);
          memcpy(out + len, tag, 10);
          sendto(input->fd, out, (size_t)len + 10, 0, (struct sockaddr *)&input->out[o], sizeof input->out[o]);
        }
      }
    }
  }
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  int rc = 2;
  if (argc >= 2 && !strcmp(argv[1], "gen")) rc = cmd_gen(argc - 1, argv + 1);
  else if (argc >= 2 && !strcmp(argv[1], "sink")) rc = cmd_sink(argc - 1, argv + 1);
  else if (argc >= 2 && !strcmp(argv[1], "relay")) rc = cmd_relay(argc - 1, argv + 1);
  if (rc == 2) fprintf(stderr, "usage: rtptool gen|sink|relay ... (see the comment at the top of rtptool.c)\n");
  return rc;
}
