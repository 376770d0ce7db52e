#pragma once

// The bank example's projections for the tools that show a stream's state at each version
// (the browser's State tab, `eventium state`): the account state of bank.h (owner, currency,
// balance, transactions, opened, closed) for the "account" category.
//
// Registration is an explicit call, not a static initialiser (a static library drops unused
// objects) and not a plugin: the browser's library and the CLI link this example library,
// which is never installed, and call registerProjections() before they look a projection up.
// The installed store and toolkit libraries know nothing of the bank.

#include "eventium/toolkit/projectionregistry.h"

namespace eventium::bank {

// The account projection (category "account", name "bank.account"); its state is
// encodeAccount()'s JSON, the same as the account handler's snapshots, so a fold can start
// from one of them.
toolkit::RegisteredProjection accountProjection();

// Adds the bank's projections to `registry` (again is harmless).
void registerProjections(toolkit::ProjectionRegistry &registry
                         = toolkit::ProjectionRegistry::global());

} // namespace eventium::bank
