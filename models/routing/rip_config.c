/*
 * RIP's settings and their defaults, written once (RFC 2453 3.8 for the
 * timers; FRR's defaults for the rest): the loader fills a RipConfig from
 * these, the model reads it.
 *
 * Entry points: rip_config_defaults(), rip_iface_config_defaults(),
 * rip_split_names.
 */
#include "models/routing/rip.h"

const char *const rip_split_names[RIP_SPLIT_COUNT] = {
    [RIP_SPLIT_NONE] = "none",
    [RIP_SPLIT_SIMPLE] = "simple",
    [RIP_SPLIT_POISON_REVERSE] = "poison-reverse",
};

void rip_config_defaults(RipConfig *conf)
{
  *conf = (RipConfig){
      .update = SIMTIME_S(30),
      .timeout = SIMTIME_S(180),
      .garbage = SIMTIME_S(120),
      .trigger_min = SIMTIME_S(1),
      .trigger_max = SIMTIME_S(5),
      .split = RIP_SPLIT_POISON_REVERSE,
  };
}

void rip_iface_config_defaults(RipIfaceConfig *conf)
{
  *conf = (RipIfaceConfig){.enabled = TRUE};
}
