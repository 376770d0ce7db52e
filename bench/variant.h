#pragma once

#include <QString>

namespace bench {

// What a round measures: the store ("ours") or one of its baselines ("raw": plain libpq INSERT
// and SELECT; "lock": the table-lock design).
enum class Variant { Ours, Raw, Lock };

QString variantName(Variant variant);

} // namespace bench
