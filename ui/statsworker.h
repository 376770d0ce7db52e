#pragma once

#include "storemetatypes.h"

#include <eventium/connectionoptions.h>

#include <QObject>

#include <memory>

class QThread;

namespace eventium::ui {

// Reads the store's statistics (and where the subscriptions stand) on a thread and a
// connection of its own, so the status bar's once-a-second poll and the Subscriptions tab's
// every-two-seconds poll never wait behind page reads in the StoreWorker, nor they behind them.
// The same discipline as the StoreWorker: a request returns a token at once, and the answer
// (or the error) arrives later through a queued signal carrying that token.
class StatsWorker : public QObject
{
    Q_OBJECT
public:
    StatsWorker();
    ~StatsWorker() override;

    void start();
    // Drops the store and joins the thread.
    void shutdown();

    // Opens a small store of its own (one connection, no sequencer) for these options,
    // replacing the previous one; close() drops it. Both are queued like requests.
    void open(const ConnectionOptions &options, const QString &schema);
    void close();
    quint64 fetchStats();
    quint64 listSubscriptions();

signals:
    void statsReady(quint64 token, const eventium::StoreStats &stats);
    void subscriptionsListed(quint64 token,
                             const QList<eventium::toolkit::SubscriptionStatus> &subscriptions);
    void failed(quint64 token, const eventium::StoreError &error);
    // A query on an open store failed because the connection was lost.
    void connectionLost(const eventium::StoreError &error);

private:
    void closeStore();

    std::unique_ptr<QThread> m_thread;
    std::unique_ptr<Store> m_store; // owned by the worker's thread
};

} // namespace eventium::ui
