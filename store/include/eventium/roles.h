#pragma once

#include "eventium/result.h"

#include <QString>

#include <optional>

namespace eventium {

class Store;

// Least privilege for other PostgreSQL roles in a store's schema (schema version 7 or later).
//
// A reader reads, follows and searches: USAGE on the schema, SELECT on the tables reads use
// (streams, events, global_events, sequencer, schema_migrations, erasures) and EXECUTE on
// sequence_step(), so that its followers number what dead writers left behind. A writer is a
// reader that also appends, through append_events() (and lock_streams() for multi-stream
// appends) only: it has no INSERT, UPDATE or DELETE on any table. Both functions that write
// run with their owner's rights (migrations/0007_roles.sql).
//
// The call is made by the schema's owner (or a superuser) through `store`; role names go to
// the server quoted as identifiers.
class Roles
{
public:
    enum class Kind { Reader, Writer };

    // "reader" or "writer"; nullopt otherwise.
    static std::optional<Kind> parseKind(const QString &text);
    static QString kindName(Kind kind);

    // Gives `role`, an existing role, exactly the privileges of `kind` in the store's schema:
    // whatever it held there before is revoked first, in the same transaction. The schema's
    // owner and superusers are refused (they have every privilege, and revoking would take
    // the owner's). A role that does not exist, or a name that cannot be one, is InvalidInput;
    // a schema older than version 7 is Migration.
    static Result<Done> grant(Store &store, Kind kind, const QString &role);
    // Takes every privilege in the store's schema from `role`, USAGE on the schema included.
    static Result<Done> revoke(Store &store, const QString &role);
};

} // namespace eventium
