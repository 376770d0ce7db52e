#pragma once

#include "storemetatypes.h"

#include <eventium/connectionoptions.h>

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QThread;

namespace eventium::ui {

// A thread with a small store of its own (one connection, no sequencer), for the work that
// must never wait behind the StoreWorker's page reads nor hold them up: the StatsWorker's polls
// and the StateWorker's folds. The StoreWorker's discipline: a request returns a token at once,
// and its answer (or failed()) arrives later through a queued signal carrying that token.
class StoreThread : public QObject
{
    Q_OBJECT
public:
    explicit StoreThread(const QString &threadName);
    ~StoreThread() override;

    void start();
    // Drops the store and joins the thread. A subclass calls it from its own destructor.
    void shutdown();

    // Opens the store for these options (and a read connection, StoreSettings::readConnection),
    // replacing the previous one; close() drops it. Both are queued like requests.
    void open(const ConnectionOptions &options, const QString &schema,
              const std::optional<ConnectionOptions> &readOptions = std::nullopt);
    void close();

signals:
    void failed(quint64 token, const eventium::StoreError &error);
    // A query on an open store failed because the connection was lost.
    void connectionLost(const eventium::StoreError &error);

protected:
    // Runs `work` on the thread with the store, under a new token (returned); without an open
    // store it answers failed(token, not connected) instead.
    quint64 post(std::function<void(quint64 token, Store &store)> work);
    // Answers a request with an error (and connectionLost() when it is one).
    void fail(quint64 token, const StoreError &error);
    // Called on the thread when the store is dropped or replaced.
    virtual void storeClosed() { }

private:
    void closeStore();

    std::unique_ptr<QThread> m_thread;
    std::unique_ptr<Store> m_store; // owned by the thread
};

} // namespace eventium::ui
