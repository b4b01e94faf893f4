/*
 * OSPF's settings and their defaults, written once (RFC 2328 appendix C
 * for the architectural constants and interface parameters; FRR's SPF
 * throttling): the loader fills an OspfConfig from these, the model reads
 * it.
 *
 * Entry points: ospf_config_defaults(), ospf_iface_config_defaults(),
 * ospf_cost_for(), ospf_if_type_names, ospf_nbr_state_names.
 */
#include "models/routing/ospf.h"

const char *const ospf_if_type_names[OSPF_IF_TYPE_COUNT] = {
    [OSPF_IF_AUTO] = "auto",
    [OSPF_IF_P2P] = "point-to-point",
    [OSPF_IF_BROADCAST] = "broadcast",
};

const char *const ospf_nbr_state_names[OSPF_NBR_STATE_COUNT] = {
    [OSPF_NBR_DOWN] = "down",       [OSPF_NBR_ATTEMPT] = "attempt", [OSPF_NBR_INIT] = "init",
    [OSPF_NBR_2WAY] = "2-way",      [OSPF_NBR_EXSTART] = "exstart", [OSPF_NBR_EXCHANGE] = "exchange",
    [OSPF_NBR_LOADING] = "loading", [OSPF_NBR_FULL] = "full",
};

void ospf_config_defaults(OspfConfig *conf)
{
  *conf = (OspfConfig){
      .reference_bps = 100000000,
      .spf_delay = 0,
      .spf_hold = SIMTIME_MS(50),
      .spf_max_hold = SIMTIME_S(5),
  };
}

void ospf_iface_config_defaults(OspfIfaceConfig *conf)
{
  *conf = (OspfIfaceConfig){
      .enabled = TRUE,
      .priority = 1,
      .hello = SIMTIME_S(10),
      .dead = SIMTIME_S(40),
      .retransmit = SIMTIME_S(5),
      .transmit_delay = SIMTIME_S(1),
  };
}

/* An interface's OSPF cost: the one given, else the reference bandwidth
 * over the link's rate, from 1 to 65535 (RFC 2328 appendix C.3; FRR's
 * auto-cost reference-bandwidth). `rate_bps` 0 (unconnected) costs 1. */
uint32_t ospf_cost_for(const OspfIfaceConfig *c, uint64_t reference_bps, uint64_t rate_bps)
{
  if (c && c->cost)
    return c->cost;
  uint64_t cost = rate_bps ? reference_bps / rate_bps : 1;
  return (uint32_t)CLAMP(cost, 1, 65535);
}
