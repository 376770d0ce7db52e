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
// string or a postgres:// URL (the password may also be typed apart). "Test" tries it off
// the UI thread and says who the server is and whether the connection is encrypted and its
// certificate verified. Connections that were tested successfully or used are remembered in
// QSettings, without any password.
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
    // What a successful test shows: the server, then encryptionText().
    static QString connectedText(const ServerInfo &info);
    // "Encrypted (TLS 1.3, TLS_AES_256_GCM_SHA384), certificate verified", "Encrypted (…),
    // certificate not verified (sslmode=require)", "Not encrypted", ...
    static QString encryptionText(const ServerInfo &info);

    QComboBox *connectionCombo() const { return m_connection; }
    QLineEdit *passwordEdit() const { return m_password; }
    QLineEdit *schemaEdit() const { return m_schema; }
    QLabel *statusLabel() const { return m_status; }

public slots:
    void accept() override;

private:
    enum class Tone { Plain, Success, Error };

    std::optional<ConnectionOptions> parsed(QString *error) const;
    void showStatus(const QString &text, Tone tone);
    void testConnection();
    void testFinished(quint64 token, const Result<ServerInfo> &result);
    void updateEnabled();

    ConnectionTarget m_target;
    QRadioButton *m_embedded;
    QRadioButton *m_server;
    QComboBox *m_connection;
    QLineEdit *m_password;
    QLineEdit *m_schema;
    QLabel *m_status;
    QPushButton *m_test;
    quint64 m_testToken = 0;
    ConnectionOptions m_tested; // what the test in progress tries
};

} // namespace eventium::ui
