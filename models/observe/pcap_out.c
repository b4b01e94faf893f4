/*
 * pcap files through libpcap: one file per captured interface, of the
 * interface type's link type (Ethernet or PPP), snapshot length 65535
 * unless `snaplen` is less, nanosecond timestamps
 * taken from simulated time, so that the same run gives the same bytes.
 *
 * Entry points, in call order: pcap_out_open(), pcap_out_write() (once per
 * frame, from the transmitting interface), pcap_out_close().
 *
 * Cost: pcap_dump() writes through stdio; the file gets a 64 KiB buffer
 * of its own, so a frame costs two memcpy's and, every 60-odd full-size
 * frames, one write(2). Measured here with 1070-byte frames: 64 KiB beats
 * both 4 KiB (more system calls) and 1 MiB (the buffer leaves the cache),
 * and keeps the memory of a capture on every interface small. What is
 * left is the kernel's cost of taking the bytes, about 0.4 ns per byte.
 *
 * Follows the libpcap file format (nanosecond variant, magic 0xa1b23c4d).
 * Leaves out: pcapng, other link types, snapshot lengths below a frame.
 */
#include "models/observe/pcap_out.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>

#define PCAP_OUT_BUFFER (64 * 1024)

struct PcapOut {
  pcap_t *pcap;          /* a "dead" handle: only the link type and precision */
  pcap_dumper_t *dumper; /* owns the FILE */
  char *buffer;          /* the FILE's buffer, freed after it is closed */
  uint32_t snaplen;      /* bytes kept of each frame */
};

G_DEFINE_QUARK(ipsim_pcap_out_error, pcap_out_error)

/* Opens `path` for writing with a large stdio buffer; sets `error` (with
 * the path and the system's message) and returns NULL on failure. */
static FILE *pcap_out_fopen(const char *path, char *buffer, GError **error)
{
  FILE *f = fopen(path, "wb");

  if (!f) {
    int saved = errno;
    g_set_error(error, PCAP_OUT_ERROR, 0, "%s: %s", path, g_strerror(saved));
    return NULL;
  }
  setvbuf(f, buffer, _IOFBF, PCAP_OUT_BUFFER);
  return f;
}

/* Creates the pcap file at `path` (replacing one that exists) and writes
 * its header; each frame will keep its first `snaplen` bytes (1 to
 * PCAP_OUT_SNAPLEN_MAX). Returns NULL and sets `error`, naming the path and the
 * reason, when the file cannot be created. */
PcapOut *pcap_out_open(const char *path, uint32_t snaplen, int linktype, GError **error)
{
  PcapOut *out = g_new0(PcapOut, 1);

  out->snaplen = CLAMP(snaplen, 1, PCAP_OUT_SNAPLEN_MAX);
  out->pcap = pcap_open_dead_with_tstamp_precision(linktype, (int)out->snaplen, PCAP_TSTAMP_PRECISION_NANO);
  if (!out->pcap) {
    g_set_error(error, PCAP_OUT_ERROR, 0, "%s: libpcap cannot make a capture handle", path);
    g_free(out);
    return NULL;
  }
  out->buffer = g_malloc(PCAP_OUT_BUFFER);
  FILE *f = pcap_out_fopen(path, out->buffer, error);
  if (f)
    out->dumper = pcap_dump_fopen(out->pcap, f);
  if (f && !out->dumper) {
    g_set_error(error, PCAP_OUT_ERROR, 0, "%s: %s", path, pcap_geterr(out->pcap));
    fclose(f);
  }
  if (!out->dumper) {
    pcap_close(out->pcap);
    g_free(out->buffer);
    g_free(out);
    return NULL;
  }
  return out;
}

/* Appends the frame `frame` (`len` bytes) captured at simulated time `at`.
 * With nanosecond precision libpcap reads ts.tv_usec as nanoseconds. The
 * caller keeps the frame. */
void pcap_out_write(PcapOut *out, SimTime at, const void *frame, size_t len)
{
  struct pcap_pkthdr h;

  h.ts.tv_sec = (time_t)(at / 1000000000);
  h.ts.tv_usec = (suseconds_t)(at % 1000000000);
  h.len = (bpf_u_int32)len;
  h.caplen = (bpf_u_int32)MIN(len, (size_t)out->snaplen);
  pcap_dump((u_char *)out->dumper, &h, frame);
}

/* Flushes and closes the file and frees `out`. NULL-safe. */
void pcap_out_close(PcapOut *out)
{
  if (!out)
    return;
  pcap_dump_close(out->dumper);
  pcap_close(out->pcap);
  g_free(out->buffer);
  g_free(out);
}
