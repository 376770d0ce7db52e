#pragma once

#include <QString>

namespace bench {

// What a round measures: the store ("ours") or one of its baselines ("raw": plain libpq INSERT
// and SELECT; "lock": the table-lock design; "peer": a per-stream advisory lock and a bigserial
// global position, the design of Message DB, see PeerWriter).
enum class Variant { Ours, Raw, Lock, Peer };

QString variantName(Variant variant);

} // namespace bench
