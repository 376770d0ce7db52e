#pragma once

#include "storeworker.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace eventium::ui {

// Chooses where to connect: the embedded default or a server given as a libpq connection
// string or a postgres:// URL (the password may also be typed apart), and optionally a second
// server to read from (a hot standby: pages, searches, the live feed and statistics read
// there, appends and the rest go to the first; the password typed apart serves it too when
// its text has none). "Test" (and "Test Read") tries a connection off the UI thread and says
// who the server is, whether it is a primary or a standby (and its replay lag), and whether
// the connection is encrypted and its certificate verified. Connections that were tested
// successfully or used are remembered in QSettings, without any password.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectDialog(const ConnectionTarget &current, QWidget *parent = nullptr);

    // Valid only after the dialog was accepted.
    ConnectionTarget target() const { return m_target; }

    static QStringList recentConnections();
    // Adds to the front of the recent list, without any password.
    static void rememberConnection(const ConnectionOptions &options);
    // The connection as text with every password removed.
    static QString withoutPassword(const ConnectionOptions &options);
    // What a successful test shows: the server, roleText(), then encryptionText().
    static QString connectedText(const ServerInfo &info);
    // "Primary", "Hot standby, replay lag 3 ms".
    static QString roleText(const ReplicationStatus &status);
    // "Encrypted (TLS 1.3, TLS_AES_256_GCM_SHA384), certificate verified", "Encrypted (…),
    // certificate not verified (sslmode=require)", "Not encrypted", ...
    static QString encryptionText(const ServerInfo &info);

    QComboBox *connectionCombo() const { return m_connection; }
    QLineEdit *passwordEdit() const { return m_password; }
    QLineEdit *schemaEdit() const { return m_schema; }
    QLabel *statusLabel() const { return m_status; }
    // The read connection: empty for none.
    QComboBox *readConnectionCombo() const { return m_readConnection; }
    QLabel *readStatusLabel() const { return m_readStatus; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *testReadButton() const { return m_testRead; }

public slots:
    void accept() override;

private:
    enum class Tone { Plain, Success, Error };

    // One of the two connections: its field, its test button, where its outcome shows, the
    // test in progress.
    struct Side
    {
        QComboBox *connection = nullptr;
        QPushButton *test = nullptr;
        QLabel *status = nullptr;
        quint64 testToken = 0;
        ConnectionOptions tested; // what the test in progress tries
    };

    // The connection of a side, with the password typed apart when its text has none;
    // nullopt with `error` set when it does not parse (an empty read field is no error: check
    // the text first).
    std::optional<ConnectionOptions> parsed(const Side &side, QString *error) const;
    static void showStatus(QLabel *label, const QString &text, Tone tone);
    void testConnection(Side &side);
    void testFinished(Side &side, quint64 token, const Result<ServerInfo> &result);
    void updateEnabled();

    ConnectionTarget m_target;
    QRadioButton *m_embedded;
    QRadioButton *m_server;
    QComboBox *m_connection;
    QComboBox *m_readConnection;
    QLineEdit *m_password;
    QLineEdit *m_schema;
    QLabel *m_status;
    QLabel *m_readStatus;
    QPushButton *m_test;
    QPushButton *m_testRead;
    Side m_main;
    Side m_read;
};

} // namespace eventium::ui
