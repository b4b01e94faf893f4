/* Placeholder: written by the tcp_in work of issue 4. */
