#pragma once

#include "eventium/result.h"
#include "eventium/store.h"

namespace eventium::toolkit {

// Fills the store with realistic bank data: accounts opened, deposits, withdrawals and
// transfers between accounts (a transfer appends to both accounts atomically with
// appendMulti). Deterministic for a given seed. Returns the number of events written.
//
// The data uses the bank domain of bank.h ("account-<id>", "transfer-<id>" streams; amounts
// in cents; balances never go negative; some accounts are emptied and closed). Every event
// carries metadata {"correlationId", "user", "channel"}; the events of one transfer share
// the transfer id as their correlation id, and name their cause in "causationId" (a transfer's
// money received was caused by the money sent, its completion by the money received; an
// opening deposit by the account's opening). Exactly `events` events are written (at least
// 10) in batches of a few dozen per atomic appendMulti; the event ids (and the causation ids
// naming them) are fresh, everything else depends on the seed only. Account and transfer ids derive
// from the seed, so running it twice with the same seed into the same schema fails with a clear
// error (use another seed).
Result<qint64> generateSampleData(Store &store, int events = 3000, quint32 seed = 42);

} // namespace eventium::toolkit
