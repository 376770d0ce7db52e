#pragma once

#include "storethread.h"

#include <eventium/cancellation.h>

#include <QJsonValue>
#include <QMap>

namespace eventium::ui {

struct StateResult;

// Folds streams for the State page (toolkit::stateAt) on a thread and a connection of its
// own, so a fold of a long stream never holds back the StoreWorker's page reads, nor they it.
// Progress comes through stateProgress before the answer. Requests run one after another:
// cancel the one running (its Cancellation) before asking for the next.
class StateWorker : public StoreThread
{
    Q_OBJECT
public:
    StateWorker();
    ~StateWorker() override;

    // See StoreWorker::stateAt.
    quint64 stateAt(const QString &stream, qint64 version, qint64 startAfter,
                    const QJsonValue &startState, const Cancellation &cancellation);

signals:
    void stateProgress(quint64 token, qint64 reached);
    void stateReady(quint64 token, const eventium::ui::StateResult &result);

protected:
    void storeClosed() override;

private:
    void fold(quint64 token, Store &store, const QString &stream, qint64 version, qint64 startAfter,
              const QJsonValue &startState, const Cancellation &cancellation);

    // States after every page of the last stream folded, so a step back (or any earlier
    // version) starts from the nearest one before it instead of from version 1.
    QString m_checkpointStream;
    QMap<qint64, QJsonValue> m_checkpoints;
    static constexpr int kMaxCheckpoints = 1000;
};

} // namespace eventium::ui
