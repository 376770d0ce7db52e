#pragma once

#include <eventium/connectionoptions.h>

#include <QObject>

namespace eventium::ui {

// Tries a connection on a short-lived thread of its own (so a slow or unreachable server
// never holds up the UI or the store worker) and reports the server version or the error.
class ConnectionTester : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionTester(QObject *parent = nullptr);
    ~ConnectionTester() override;

    quint64 test(const ConnectionOptions &options);

signals:
    void finished(quint64 token, bool ok, const QString &message);

private:
    QList<class QThread *> m_threads;
};

} // namespace eventium::ui
