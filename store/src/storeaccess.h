#pragma once

#include "pg/connection.h"

#include "eventium/store.h"

namespace eventium {

// The data-access layer of a Store for the rest of the library (the toolkit): connections
// of the calling thread from the store's pool, statements with the store's retry rule, and
// its error explanation. Not part of the public API.
class StoreAccess
{
public:
    static Result<pg::Connection> connect(Store &store);
    // An idempotent statement, retried once on a fresh connection when its connection was
    // lost (see Store::Private::read).
    static Result<pg::Rows> read(Store &store, const QString &sql, const pg::Params &params,
                                 const QString &what);
    static StoreError explain(Store &store, const StoreError &error);
    // The store's schema, quoted for SQL text.
    static const QString &schema(Store &store);
};

} // namespace eventium
