#pragma once

#include "storemetatypes.h"

#include <eventium/cancellation.h>
#include <eventium/connectionoptions.h>

#include <QJsonValue>
#include <QMap>
#include <QObject>

#include <memory>

class QThread;

namespace eventium::ui {

struct StateResult;

// Folds streams for the State page (toolkit::stateAt) on a thread and a connection of its
// own, so a fold of a long stream never holds back the StoreWorker's page reads, nor they it.
// The StatsWorker's discipline: a request returns a token at once; progress, the answer or the
// error arrive later through queued signals carrying that token. Requests run one after
// another: cancel the one running (its Cancellation) before asking for the next.
class StateWorker : public QObject
{
    Q_OBJECT
public:
    StateWorker();
    ~StateWorker() override;

    void start();
    // Drops the store and joins the thread.
    void shutdown();

    // Opens a small store of its own (one connection, no sequencer) for these options,
    // replacing the previous one; close() drops it. Both are queued like requests.
    void open(const ConnectionOptions &options, const QString &schema);
    void close();
    // See StoreWorker::stateAt.
    quint64 stateAt(const QString &stream, qint64 version, qint64 startAfter,
                    const QJsonValue &startState, const Cancellation &cancellation);

signals:
    void stateProgress(quint64 token, qint64 reached);
    void stateReady(quint64 token, const eventium::ui::StateResult &result);
    void failed(quint64 token, const eventium::StoreError &error);
    // A query on an open store failed because the connection was lost.
    void connectionLost(const eventium::StoreError &error);

private:
    void fold(quint64 token, const QString &stream, qint64 version, qint64 startAfter,
              const QJsonValue &startState, const Cancellation &cancellation);

    std::unique_ptr<QThread> m_thread;
    std::unique_ptr<Store> m_store; // owned by the worker's thread
    // States after every page of the last stream folded, so a step back (or any earlier
    // version) starts from the nearest one before it instead of from version 1.
    QString m_checkpointStream;
    QMap<qint64, QJsonValue> m_checkpoints;
    static constexpr int kMaxCheckpoints = 1000;
};

} // namespace eventium::ui
