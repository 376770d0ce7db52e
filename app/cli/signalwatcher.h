#pragma once

#include <QObject>

class QSocketNotifier;

namespace eventium::cli {

// Turns SIGINT and SIGTERM into a Qt signal in the event loop's thread: the handler only
// writes a byte to a pipe (async-signal-safe); a QSocketNotifier reads it.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    bool isValid() const { return m_notifier != nullptr; }

signals:
    void terminationRequested(int signalNumber);

private:
    void onReadable();
    static void handle(int signalNumber);

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace eventium::cli
