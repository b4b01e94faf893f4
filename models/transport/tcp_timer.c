/* Placeholder: written by the tcp_timer work of issue 4. */
