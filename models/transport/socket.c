/* Placeholder: written by the socket work of issue 4. */
