/* Placeholder: written by the tcp_buf work of issue 4. */
