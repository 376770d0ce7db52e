#include "variant.h"

namespace bench {

QString variantName(Variant variant)
{
    switch (variant) {
    case Variant::Ours:
        return QStringLiteral("ours");
    case Variant::Raw:
        return QStringLiteral("raw");
    case Variant::Lock:
        return QStringLiteral("lock");
    case Variant::Peer:
        return QStringLiteral("peer");
    }
    return {};
}

} // namespace bench
