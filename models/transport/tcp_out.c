/* Placeholder: written by the tcp_out work of issue 4. */
