/* Placeholder: written by the tcp_options work of issue 4. */
