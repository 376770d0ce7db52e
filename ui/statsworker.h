#pragma once

#include "storethread.h"

namespace eventium::ui {

// Reads the store's statistics, whether the server reads come from is a primary or a standby
// and its replay lag, and where the subscriptions stand, on a thread and a connection of its
// own, so the status bar's once-a-second poll and the Subscriptions tab's
// every-two-seconds poll never wait behind page reads in the StoreWorker, nor they behind them.
class StatsWorker : public StoreThread
{
    Q_OBJECT
public:
    StatsWorker();
    ~StatsWorker() override;

    // Answered by statsReady, then replicationReady with the same token: both from the read
    // connection.
    quint64 fetchStats();
    quint64 listSubscriptions();

signals:
    void statsReady(quint64 token, const eventium::StoreStats &stats);
    void replicationReady(quint64 token, const eventium::ReplicationStatus &status);
    void subscriptionsListed(quint64 token,
                             const QList<eventium::toolkit::SubscriptionStatus> &subscriptions);
};

} // namespace eventium::ui
