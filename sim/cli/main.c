/*
 * The ipsim command line: `run`, `check`, `draw`, `trace` (cli_trace.c),
 * `ladder` (cli_ladder.c), `plot` (cli_plot.c), `grade` (cli_grade.c),
 * `explain` (cli_explain.c), `shell` (shell.c), `cleanup` and `help`.
 * Exit status: 0 success, 1 failed expectations (reserved for `expect:`),
 * 2 bad input or usage (or a real-time run past its lag limit), 130 and
 * 143 a real-time run ended by SIGINT and SIGTERM. Errors go to standard
 * error.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "sim/cli/cli.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *synopsis;
  const char *summary;
  const char *details;
} CliCommand;

static const CliCommand cli_commands[] = {
    {"run", cli_run, "run FILE [--seed N] [--stop TIME] [--out DIR] [--quiet] [--realtime]",
     "load, check and run a scenario, then print a summary",
     "Loads FILE, checks it, builds the network and runs it until its stop time.\n"
     "  --seed N      use seed N instead of the file's 'seed'\n"
     "  --stop TIME   stop at TIME (such as 30s) instead of the file's 'stop'\n"
     "  --out DIR     write the outputs (summary.json) into DIR, creating it; a\n"
     "                scenario that asks for files (pcap, tcp-series) and names no\n"
     "                directory writes them to ./FILE.out (FILE without .yaml)\n"
     "  --quiet       print nothing but errors\n"
     "  --realtime    run against the wall clock (as 'realtime: true' in FILE): each\n"
     "                event when the wall clock reaches its time; the summary adds\n"
     "                how late events ran. Exit status 2 past 'realtime.lag-limit',\n"
     "                130 after SIGINT, 143 after SIGTERM\n"},
    {"check", cli_check, "check FILE...", "validate scenario files and print their errors and warnings",
     "Checks each FILE without running it. Exit status 0 when no file has an\n"
     "error (warnings allowed), 2 otherwise.\n"},
    {"draw", cli_draw, "draw FILE [-o OUT] [--at TIME]", "draw the topology of a scenario",
     "Prints the topology as Graphviz DOT, or renders it to OUT, in the format of\n"
     "its extension: .dot, .gv, .svg, .png or .pdf.\n"
     "  --at TIME     run the scenario to TIME first (writing nothing) and draw\n"
     "                its spanning trees as they are then: each switch port's role\n"
     "                and state, the root bridges, the links that a port which\n"
     "                does not forward cuts (dashed, grey)\n"},
    {"trace", cli_trace,
     "trace DIR [--node N]... [--iface N:IF]... [--proto P]... [--layer L]... [--flow F] [--packet ID] [--from T] "
     "[--to T] [-e]",
     "print the lines of a run's trace that match filters",
     "Prints the lines of DIR/trace.txt (a run with 'trace' and --out DIR) that\n"
     "match every filter given; a filter given twice matches either value.\n"
     "  --node N      lines of node N\n"
     "  --iface N:IF  lines of interface IF of node N\n"
     "  --proto P     packets whose headers show P: arp, ipv4, icmp, udp, tcp,\n"
     "                rip, ospf or stp\n"
     "  --layer L     lines of layer L: link, internet, transport, app or routing\n"
     "  --flow F      lines of a flow, both ways: an app's name (its packets, the\n"
     "                ICMP errors about them, its own lines) or a 5-tuple such as\n"
     "                'udp 10.0.1.10:5000 > 10.0.2.10:9' (udp, tcp or icmp; ports\n"
     "                optional)\n"
     "  --packet ID   packet #ID, and the packets made from it (its fragments,\n"
     "                errors about it, a reply to it)\n"
     "  --from T      lines at time T (such as 2s or 1500ms) or later\n"
     "  --to T        lines at time T or earlier\n"
     "  -e, --macs    link-layer lines show the source and destination MAC\n"
     "                addresses before the headers, as tcpdump -e\n"
     "--layer, --flow and -e read DIR/trace.tags, which the run writes beside\n"
     "trace.txt. The scenario's 'output: { trace: { ... } }' takes the same filters.\n"},
    {"ladder", cli_ladder,
     "ladder DIR (--between A,B | --nodes A,B,... | --flow F) [--layers] [--from T] [--to T] [--collapse N] [-o "
     "OUT]",
     "draw the messages of a run's trace as a ladder (sequence) diagram",
     "Draws the messages of DIR/trace.txt (a run with 'trace' and --out DIR) between\n"
     "chosen nodes, a lane per node, time running down, each message an arrow from\n"
     "its sender at its departure to its receiver at its arrival, labelled (ARP\n"
     "who-has, ICMP echo request seq 1, SYN seq 0, HTTP GET /x, ...); drops end in an\n"
     "X with the reason, retransmissions are dashed. Prints a text ladder, or draws\n"
     "to OUT.\n"
     "  --between A,B   end to end: packets from one of these nodes to another,\n"
     "                  however many routers and switches they cross\n"
     "  --nodes A,B,... hop by hop: frames from one of these nodes to the next\n"
     "  --flow F        only TCP and UDP packets to or from port F (or ADDR:PORT),\n"
     "                  or of the app named F (from DIR/trace.tags); alone, the\n"
     "                  lanes are the nodes that send and receive them\n"
     "  --layers        a lane per node and layer (application, transport,\n"
     "                  internet, link): each message goes down its sender's\n"
     "                  stack, across, and up its receiver's\n"
     "  --from T        messages leaving at time T (such as 1s or 1500ms) or later\n"
     "  --to T          messages leaving at time T or earlier\n"
     "  --collapse N    above N messages (default 60; 0: never), merge runs of data\n"
     "                  segments, ACKs or datagrams in one direction into bands\n"
     "  -o OUT          write to OUT: .svg, .png, .pdf, or .txt (the text ladder)\n"},
    {"plot", cli_plot,
     "plot DIR (--cwnd | --rtt | --queue NODE:IFACE | --routes | --throughput [FLOW]) [--conn C] [--node N] [--bin "
     "T] [--from T] [--to T] -o OUT",
     "draw a run's time series: TCP cwnd or RTT, an interface's queue, route changes, goodput",
     "Draws a time series of the run in DIR as a line chart, time (s) across:\n"
     "  --cwnd            cwnd (solid steps) and ssthresh (dashed, from the first\n"
     "                    loss) in bytes, per TCP connection, from DIR/tcp.csv (a run\n"
     "                    with 'output: { tcp-series: true }' and --out DIR)\n"
     "  --rtt             smoothed RTT (solid) and RTO (dashed) in ms, from tcp.csv\n"
     "  --queue NODE:IFACE the frames waiting in that interface's transmit queue,\n"
     "                    from DIR/queues.csv ('output: { queues: true }')\n"
     "  --routes          the number of route changes so far, per router, from\n"
     "                    DIR/routes.csv (RIP or OSPF; 'output: { routes: true }')\n"
     "  --throughput [FLOW] the goodput of each flow (or of FLOW: a port, an\n"
     "                    address, ADDR:PORT, or an app's name, from trace.tags) in\n"
     "                    Mbit/s per bin, from DIR/throughput.csv (every run writes\n"
     "                    it); --flow FLOW says the same\n"
     "  --bin T           --throughput: the bin (default 100ms; a multiple of 10ms)\n"
     "  --conn C          only the connections of node C, or with C as local or\n"
     "                    remote ADDR:PORT, or PORT\n"
     "  --node N          --routes: only router N\n"
     "  --from T, --to T  only the time from T, to T (such as 1s or 1500ms)\n"
     "  -o OUT            write to OUT: .svg, .png, .pdf, or .txt (a summary of\n"
     "                    the axes, their ticks and the series)\n"
     "Exit status 0; 2 for bad usage, a missing file or nothing to plot.\n"},
    {"explain", cli_explain, "explain FILE (--packet ID | --app NAME [--seq N]) [-o OUT]",
     "tell the story of one packet, hop by hop and layer by layer",
     "Runs FILE again (simulated time, no outputs; the same seed gives the same\n"
     "packet ids as 'ipsim run') and tells, in numbered sentences per node and\n"
     "layer, what happened to one packet: the send, the headers, each route\n"
     "lookup and the entry that matched, ARP, the frame's addresses, each\n"
     "switch's learn/forward/flood decision, each router's TTL and next hop,\n"
     "queueing, serialization and propagation delays, the sockets' queues, then\n"
     "its delivery or drop with the reason in words (every drop reason has its\n"
     "own sentence). The id of a reply or ICMP error made from it is given at\n"
     "the end.\n"
     "  --packet ID   the packet #ID of the trace (ipsim run, ipsim trace)\n"
     "  --app NAME    the echo request of the ping app NAME, or the packets\n"
     "                another app NAME sends (datagrams, segments, probes) ...\n"
     "  --seq N       ... with icmp_seq N, or the N-th of them (default 1)\n"
     "  -o OUT        also draw the topology with the packet's path highlighted,\n"
     "                in the format of OUT's extension (.svg, .png, .pdf)\n"
     "Exit status 0; 2 for bad usage, a bad FILE, or no such packet in the run.\n"},
    {"grade", cli_grade, "grade LAB SUBMISSION... [--out DIR] [--time-limit S] [--quiet]",
     "grade students' scenarios against a lab's checks: a table of scores",
     "Grades each SUBMISSION (a scenario file, or a folder: its .yaml and .yml files)\n"
     "against LAB, a scenario fragment holding the checks ('expect:', each with an\n"
     "optional 'points:' and 'name:') and optionally 'apps:', 'events:', 'seed:' and\n"
     "'stop:', which replace the submission's own. The submission gives the network;\n"
     "its 'expect:', 'output:' and 'realtime:' are ignored, Linux hosts refused.\n"
     "Prints a row per submission, a column per check, then each submission's first\n"
     "failure (with its evidence) or the error that kept it from being graded.\n"
     "  --out DIR         write grade.csv and grade.json into DIR (default: ./LAB.out,\n"
     "                    LAB without .yaml)\n"
     "  --time-limit S    stop grading a submission after S seconds (default 60)\n"
     "  --quiet           print nothing but errors\n"
     "Exit status 0 when grading completed, whatever the scores; 2 for a bad LAB,\n"
     "bad usage, or outputs that could not be written.\n"},
    {"shell", cli_shell, "shell FILE [--script SCRIPT]", "step through a scenario interactively: run, show, link down",
     "Loads and builds FILE, then reads commands in simulated time (Linux hosts and\n"
     "'realtime:' refused), from the terminal with line editing, history and Tab\n"
     "completion of commands and node names, or from SCRIPT (or a standard input\n"
     "that is not a terminal), each echoed after the prompt: the same commands give\n"
     "the same output every time. No output files; the trace is off until 'trace on'.\n"
     "  run until TIME | run for DURATION   run the events up to a time\n"
     "  step [N]                            run the next N events (default 1)\n"
     "  next                                run to the next packet event, print it\n"
     "  time                                the simulated time and events run\n"
     "  show route|arp|mac|stp|ifaces|rip|ospf|ospf-database|ospf-interfaces NODE\n"
     "  link A B down|up                    the link between nodes A and B, now\n"
     "  trace on [FILTERS] | off            events to standard output; the filters\n"
     "                                      are ipsim trace's (--node N --iface N:IF\n"
     "                                      --proto P --layer L --flow F --packet ID\n"
     "                                      --from T --to T -e) or bare LAYER|NODE|PROTO\n"
     "  SRC ping DST [-c N], pingall        start pings now; pingall prints a matrix\n"
     "  SRC KIND [DST] [KEY VALUE]... [for D]  start an app of any kind now\n"
     "  start { type: KIND, on: NODE, ... } start one apps: item now\n"
     "  expect { CHECK: { ... } }           one expect: item, evaluated now\n"
     "  explain ID, why ID                  the story of packet #ID so far\n"
     "  save FILE                           FILE with the session as events and apps\n"
     "  help, quit (or exit, or end of input)\n"
     "An unknown command or a bad argument prints one 'error:' line and the shell\n"
     "goes on. Exit status 0; 2 for bad usage, a bad FILE, or an unreadable SCRIPT.\n"
     "See doc/shell.md.\n"},
    {"cleanup", cli_cleanup, "cleanup [--all]", "remove what killed runs with Linux hosts left behind",
     "Removes the network namespaces (and the processes in them) of runs with\n"
     "Linux hosts that are no longer running, as after kill -9; with --all, of\n"
     "every run. Needs root.\n"},
};

static void cli_usage(FILE *out)
{
  fprintf(out, "usage: ipsim COMMAND [ARGS]\n\nipsim simulates IP networks described in YAML scenario files.\n\n"
               "commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS(cli_commands); i++)
    fprintf(out, "  %-7s %s\n", cli_commands[i].name, cli_commands[i].summary);
  fprintf(out, "  %-7s %s\n\n", "help", "show help for a command: ipsim help COMMAND");
  fprintf(out, "options: --help, --version\nexit status: 0 success, 1 failed expectations, 2 bad input or usage\n");
}

static const CliCommand *cli_find(const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(cli_commands); i++)
    if (strcmp(cli_commands[i].name, name) == 0)
      return &cli_commands[i];
  return NULL;
}

/* Reports an unknown command, suggesting the nearest one. */
static int cli_unknown(const char *name)
{
  const char *names[G_N_ELEMENTS(cli_commands) + 1];
  for (guint i = 0; i < G_N_ELEMENTS(cli_commands); i++)
    names[i] = cli_commands[i].name;
  names[G_N_ELEMENTS(cli_commands)] = "help";
  char *near = diag_suggest(name, names, G_N_ELEMENTS(names));
  if (near)
    fprintf(stderr, "ipsim: unknown command '%s'; did you mean '%s'?\n", name, near);
  else
    fprintf(stderr, "ipsim: unknown command '%s'; see 'ipsim --help'\n", name);
  g_free(near);
  return CLI_EXIT_USAGE;
}

static int cli_help(int argc, char **argv)
{
  if (argc < 2) {
    cli_usage(stdout);
    return CLI_EXIT_OK;
  }
  const CliCommand *cmd = cli_find(argv[1]);
  if (!cmd)
    return cli_unknown(argv[1]);
  printf("usage: ipsim %s\n\n%s", cmd->synopsis, cmd->details);
  return CLI_EXIT_OK;
}

/* Prints a command's help when asked with -h/--help anywhere in its arguments. */
static gboolean cli_wants_help(int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return TRUE;
  return FALSE;
}

int main(int argc, char **argv)
{
  /* The environment's character set, so that option values in UTF-8 (a
   * `1µs`) reach our parsers; numbers stay in the C locale's format. */
  setlocale(LC_CTYPE, "");
  if (argc < 2) {
    cli_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
    printf("ipsim %s\n", PACKAGE_VERSION);
    return CLI_EXIT_OK;
  }
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
    return cli_help(1, argv);
  if (strcmp(name, "help") == 0)
    return cli_help(argc - 1, argv + 1);
  const CliCommand *cmd = cli_find(name);
  if (!cmd) {
    if (name[0] == '-')
      fprintf(stderr, "ipsim: unknown option '%s'; see 'ipsim --help'\n", name);
    return name[0] == '-' ? CLI_EXIT_USAGE : cli_unknown(name);
  }
  if (cli_wants_help(argc - 1, argv + 1)) {
    char *help_argv[] = {(char *)"help", (char *)cmd->name, NULL};
    return cli_help(2, help_argv);
  }
  return cmd->run(argc - 1, argv + 1);
}
