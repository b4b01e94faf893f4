/* Placeholder: written by the tcp_conn work of issue 4. */
