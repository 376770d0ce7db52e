#pragma once

#include <eventium/follower.h>

#include <QObject>

#include <memory>

namespace eventium::cli {

class JsonLinesWriter;
class SignalWatcher;

// `tail --follow`: prints the global sequence as it grows, one JSON line per event, flushing
// after every batch; stops on SIGINT/SIGTERM or after `limit` events.
class TailFollower : public QObject
{
    Q_OBJECT
public:
    TailFollower(ConnectionOptions options, Follower::Settings settings, qint64 limit,
                 JsonLinesWriter *writer, bool verbose, QObject *parent = nullptr);
    ~TailFollower() override;

    // Runs the event loop until stopped; returns the exit code.
    int exec();

private:
    void onEvents(const QList<eventium::RecordedEvent> &events);
    void onConnectionChanged(bool connected, const QString &message);
    void onError(const eventium::StoreError &error);
    void finish(int code);

    std::unique_ptr<Follower> m_follower;
    SignalWatcher *m_signals = nullptr;
    JsonLinesWriter *m_writer;
    qint64 m_limit; // 0: no limit
    qint64 m_written = 0;
    bool m_verbose;
    bool m_done = false;
    bool m_disconnected = false;
    QString m_lastError;
};

} // namespace eventium::cli
