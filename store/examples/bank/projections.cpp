#include "bank/projections.h"

#include "bank/bank.h"

namespace eventium::bank {

toolkit::RegisteredProjection accountProjection()
{
    const AccountHandler handler = accountHandler();
    auto projection
        = toolkit::registeredProjection(QStringLiteral("account"), handler.snapshots.name,
                                        handler.projection, &encodeAccount, &decodeAccount);
    projection.snapshotName = handler.snapshots.name;
    projection.snapshotStateVersion = handler.snapshots.version;
    return projection;
}

void registerProjections(toolkit::ProjectionRegistry &registry)
{
    const auto added = registry.add(accountProjection());
    Q_ASSERT(added.ok());
    Q_UNUSED(added);
}

} // namespace eventium::bank
