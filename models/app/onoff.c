/* Placeholder: replaced by the app work of issue 4. */
#include "models/app/app.h"
static void placeholder_nop(App *app) { (void)app; }
const AppOps app_onoff_ops = {placeholder_nop, placeholder_nop, placeholder_nop, placeholder_nop};
