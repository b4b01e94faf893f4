/* Placeholder: written by the tcp_cc_newreno work of issue 4. */
