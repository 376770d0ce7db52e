#include "connectdialog.h"

#include <eventium/embeddedpostgres.h>

#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QThread>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {
const char *kRecentKey = "connections/recent";
constexpr int kMaxRecent = 10;
// A test waits at most this long for the server (unless the connection says otherwise).
constexpr int kTestConnectTimeoutSeconds = 10;

// A connection that could not be made shows libpq's own words ("... failed: Connection
// refused", "timeout expired", "server certificate for ... does not match host name ...");
// anything else the store's error with its kind.
QString failureText(const StoreError &error)
{
    if (error.kind() == StoreError::Kind::ConnectionLost)
        return QObject::tr("Could not connect: %1").arg(error.message());
    return error.toString();
}
} // namespace

ConnectDialog::ConnectDialog(const ConnectionTarget &current, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Connect"));
    setObjectName(QStringLiteral("connectDialog"));
    resize(640, 340);

    m_embedded = new QRadioButton(
        tr("&Embedded PostgreSQL (data dir %1)").arg(EmbeddedPostgres::defaultDataDir()), this);
    m_server = new QRadioButton(tr("&Server:"), this);
    m_connection = new QComboBox(this);
    m_connection->setObjectName(QStringLiteral("connection"));
    m_connection->setEditable(true);
    m_connection->setInsertPolicy(QComboBox::NoInsert);
    m_connection->addItems(recentConnections());
    m_connection->lineEdit()->setPlaceholderText(
        tr("host=db port=5432 dbname=app user=me  or  postgres://me@db:5432/app"));
    m_connection->setMinimumContentsLength(40);
    // Optional: a second server to read from.
    m_readConnection = new QComboBox(this);
    m_readConnection->setObjectName(QStringLiteral("readConnection"));
    m_readConnection->setEditable(true);
    m_readConnection->setInsertPolicy(QComboBox::NoInsert);
    m_readConnection->addItem(QString());
    m_readConnection->addItems(recentConnections());
    m_readConnection->lineEdit()->setPlaceholderText(
        tr("optional: a hot standby to read from, e.g. host=replica dbname=app"));
    m_readConnection->setMinimumContentsLength(40);
    m_readConnection->setToolTip(
        tr("Pages, searches, the live feed and statistics read from this server; appends, "
           "erasures and the rest go to the server above. Empty: everything goes there."));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("optional; never saved"));
    m_schema = new QLineEdit(current.schema, this);
    m_schema->setObjectName(QStringLiteral("schema"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_readStatus = new QLabel(this);
    m_readStatus->setObjectName(QStringLiteral("readStatus"));
    for (QLabel *label : {m_status, m_readStatus}) {
        label->setWordWrap(true);
        label->setTextFormat(Qt::PlainText);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }

    if (current.embedded) {
        m_embedded->setChecked(true);
    } else {
        m_server->setChecked(true);
        m_connection->setCurrentText(withoutPassword(current.options));
        if (current.readOptions)
            m_readConnection->setCurrentText(withoutPassword(*current.readOptions));
    }

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(m_embedded);
    form->addRow(m_server, m_connection);
    form->addRow(tr("&Read from:"), m_readConnection);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(tr("S&chema:"), m_schema);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    m_test = buttons->addButton(tr("&Test"), QDialogButtonBox::ActionRole);
    m_test->setObjectName(QStringLiteral("test"));
    m_testRead = buttons->addButton(tr("Test R&ead"), QDialogButtonBox::ActionRole);
    m_testRead->setObjectName(QStringLiteral("testRead"));
    m_main = Side {m_connection, m_test, m_status, 0, {}};
    m_read = Side {m_readConnection, m_testRead, m_readStatus, 0, {}};
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    connect(m_test, &QPushButton::clicked, this, [this] { testConnection(m_main); });
    connect(m_testRead, &QPushButton::clicked, this, [this] { testConnection(m_read); });
    connect(m_embedded, &QRadioButton::toggled, this, &ConnectDialog::updateEnabled);
    connect(m_connection, &QComboBox::currentTextChanged, this, [this] {
        if (!m_connection->currentText().isEmpty())
            m_server->setChecked(true);
        m_status->clear();
    });
    connect(m_readConnection, &QComboBox::currentTextChanged, this, [this] {
        m_readStatus->clear();
        updateEnabled();
    });
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status, 1);
    layout->addWidget(m_readStatus, 1);
    layout->addWidget(buttons);
    updateEnabled();
}

void ConnectDialog::showStatus(QLabel *label, const QString &text, Tone tone)
{
    switch (tone) {
    case Tone::Plain:
        label->setStyleSheet(QString());
        break;
    case Tone::Success:
        label->setStyleSheet(QStringLiteral("color: #2e7d32;"));
        break;
    case Tone::Error:
        label->setStyleSheet(QStringLiteral("color: #c62828;"));
        break;
    }
    label->setText(text);
}

void ConnectDialog::updateEnabled()
{
    const bool server = m_server->isChecked();
    m_connection->setEnabled(server);
    m_readConnection->setEnabled(server);
    m_password->setEnabled(server);
    m_test->setEnabled(server && m_main.testToken == 0);
    m_testRead->setEnabled(server && m_read.testToken == 0
                           && !m_readConnection->currentText().trimmed().isEmpty());
}

std::optional<ConnectionOptions> ConnectDialog::parsed(const Side &side, QString *error) const
{
    const QString text = side.connection->currentText().trimmed();
    auto options = ConnectionOptions::parse(text);
    if (!options) {
        *error = options.error().message();
        return std::nullopt;
    }
    ConnectionOptions o = options.value();
    // The read connection takes the password typed apart only when its text has none.
    if (!m_password->text().isEmpty() && (&side == &m_main || o.password.isEmpty()))
        o.password = m_password->text();
    return o;
}

void ConnectDialog::testConnection(Side &side)
{
    QString error;
    auto options = parsed(side, &error);
    if (!options) {
        showStatus(side.status, error, Tone::Error);
        return;
    }
    showStatus(side.status, tr("Testing %1…").arg(options->toDisplayString()), Tone::Plain);
    side.test->setEnabled(false);
    side.tested = *options;
    const quint64 token = StoreWorker::nextToken();
    side.testToken = token;
    const bool read = &side == &m_read;

    // On a short-lived thread of its own, so that a slow or unreachable server never holds
    // up the UI. A test still running when the dialog goes finishes on its own (bounded by
    // connect_timeout) and its answer is dropped.
    ConnectionOptions tried = *options;
    if (tried.connectTimeout == 0)
        tried.connectTimeout = kTestConnectTimeoutSeconds;
    QPointer<ConnectDialog> self(this);
    QThread *thread = QThread::create([self, token, tried, read] {
        const Result<ServerInfo> result = Store::testConnection(tried);
        QMetaObject::invokeMethod(
            qApp,
            [self, token, result, read] {
                if (self)
                    self->testFinished(read ? self->m_read : self->m_main, token, result);
            },
            Qt::QueuedConnection);
    });
    thread->setObjectName(QStringLiteral("eventium-connection-test"));
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void ConnectDialog::testFinished(Side &side, quint64 token, const Result<ServerInfo> &result)
{
    if (token != side.testToken)
        return;
    side.testToken = 0;
    updateEnabled();
    if (!result) {
        showStatus(side.status, failureText(result.error()), Tone::Error);
        return;
    }
    rememberConnection(side.tested);
    QString text = connectedText(result.value());
    if (&side == &m_read)
        text = tr("Read connection: %1").arg(text);
    showStatus(side.status, text, Tone::Success);
}

QString ConnectDialog::roleText(const ReplicationStatus &status)
{
    if (!status.standby)
        return tr("primary");
    if (!status.replayLag)
        return tr("hot standby, replay lag unknown");
    return tr("hot standby, replay lag %1 ms").arg(status.replayLag->count());
}

QString ConnectDialog::connectedText(const ServerInfo &info)
{
    return tr("Connected: PostgreSQL %1 as %2, database %3 (%4)")
               .arg(info.serverVersion, info.user, info.database, roleText(info.replication))
        + QLatin1Char('\n') + encryptionText(info);
}

QString ConnectDialog::encryptionText(const ServerInfo &info)
{
    if (!info.ssl)
        return tr("Not encrypted");
    // pg_stat_ssl says "TLSv1.3".
    QString version = info.sslVersion;
    version.replace(QLatin1String("TLSv"), QLatin1String("TLS "));
    QStringList details;
    if (!version.isEmpty())
        details << version;
    if (!info.sslCipher.isEmpty())
        details << info.sslCipher;
    const QString encrypted = details.isEmpty()
        ? tr("Encrypted")
        : tr("Encrypted (%1)").arg(details.join(QStringLiteral(", ")));
    // No sslmode anywhere: libpq's default, prefer.
    const QString mode = info.sslMode.isEmpty() ? QStringLiteral("prefer") : info.sslMode;
    if (info.sslHostNameVerified)
        return tr("%1, certificate verified").arg(encrypted);
    if (info.sslCertificateVerified)
        return tr("%1, certificate verified, host name not checked (sslmode=%2)")
            .arg(encrypted, mode);
    return tr("%1, certificate not verified (sslmode=%2)").arg(encrypted, mode);
}

void ConnectDialog::accept()
{
    ConnectionTarget target;
    target.schema = m_schema->text().trimmed();
    if (QString why = Store::validateSchemaName(target.schema); !why.isEmpty()) {
        showStatus(m_status, why, Tone::Error);
        return;
    }
    if (m_embedded->isChecked()) {
        target.embedded = true;
    } else {
        QString error;
        auto options = parsed(m_main, &error);
        if (!options) {
            showStatus(m_status, error, Tone::Error);
            return;
        }
        target.options = *options;
        if (!m_readConnection->currentText().trimmed().isEmpty()) {
            auto read = parsed(m_read, &error);
            if (!read) {
                showStatus(m_readStatus, tr("Read connection: %1").arg(error), Tone::Error);
                return;
            }
            target.readOptions = *read;
            rememberConnection(*read);
        }
        rememberConnection(*options);
    }
    m_target = target;
    QDialog::accept();
}

QString ConnectDialog::withoutPassword(const ConnectionOptions &options)
{
    ConnectionOptions o = options;
    o.password.clear();
    for (auto it = o.extra.begin(); it != o.extra.end();) {
        if (it.key().contains(QLatin1String("password")))
            it = o.extra.erase(it);
        else
            ++it;
    }
    return o.toConnInfo();
}

QStringList ConnectDialog::recentConnections()
{
    return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void ConnectDialog::rememberConnection(const ConnectionOptions &options)
{
    const QString text = withoutPassword(options);
    if (text.isEmpty())
        return;
    QStringList recent = recentConnections();
    recent.removeAll(text);
    recent.prepend(text);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), recent);
}

} // namespace eventium::ui
