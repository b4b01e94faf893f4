/*
 * libFuzzer target for the scenario loader: any bytes go through the YAML
 * reader, the schema, resolution and the network checks; what loads is
 * built into a network and drawn as DOT. Build and run: see README.md
 * ("Fuzzing"); seed it with topologies/ and tests/scenario/bad/.
 */
#include <stdint.h>
#include <stdio.h>

#include "models/core/network.h"
#include "sim/build/build.h"
#include "sim/scenario/scenario.h"
#include "viz/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *sink;
  if (!sink)
    sink = fopen("/dev/null", "w");
  DiagList *diags = diag_list_new("fuzz.yaml");
  Scenario *sc = scenario_load_data((const char *)data, size, "fuzz.yaml", diags);
  diag_list_print(diags, sink);
  if (sc) {
    Network *net = build_network(sc);
    char *dot = viz_topology_dot(net);
    fputs(dot, sink);
    g_free(dot);
    network_free(net);
  }
  scenario_free(sc);
  diag_list_free(diags);
  return 0;
}
