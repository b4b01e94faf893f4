/* Placeholder: written by the TCP work of issue 4. */
#ifndef IPSIM_TCP_BUF_H
#define IPSIM_TCP_BUF_H
#endif
