#include "eventium/toolkit/logging.h"

Q_LOGGING_CATEGORY(lcToolkit, "eventium.toolkit")
