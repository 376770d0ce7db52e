#pragma once

#include <QLoggingCategory>

// The toolkit's log category ("eventium.toolkit"): handler retries, subscription runners.
Q_DECLARE_LOGGING_CATEGORY(lcToolkit)
