/* Placeholder: written by the tcp_cc work of issue 4. */
