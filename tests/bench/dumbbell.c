/* Placeholder: written by the examples work of issue 4. */
int main(void)
{
  return 0;
}
