/* Placeholder: written by the TCP work of issue 4. */
#ifndef IPSIM_TCP_CONN_H
#define IPSIM_TCP_CONN_H
#endif
