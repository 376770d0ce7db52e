#include "connectdialog.h"

#include "connectiontester.h"

#include <eventium/embeddedpostgres.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {
const char *kRecentKey = "connections/recent";
constexpr int kMaxRecent = 10;
} // namespace

ConnectDialog::ConnectDialog(const ConnectionTarget &current, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Connect"));
    setObjectName(QStringLiteral("connectDialog"));
    resize(640, 300);
    m_tester = new ConnectionTester(this);

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
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("optional; never saved"));
    m_schema = new QLineEdit(current.schema, this);
    m_schema->setObjectName(QStringLiteral("schema"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    if (current.embedded) {
        m_embedded->setChecked(true);
    } else {
        m_server->setChecked(true);
        m_connection->setCurrentText(withoutPassword(current.options));
    }

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(m_embedded);
    form->addRow(m_server, m_connection);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(tr("S&chema:"), m_schema);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    m_test = buttons->addButton(tr("&Test"), QDialogButtonBox::ActionRole);
    m_test->setObjectName(QStringLiteral("test"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    connect(m_test, &QPushButton::clicked, this, &ConnectDialog::testConnection);
    connect(m_embedded, &QRadioButton::toggled, this, &ConnectDialog::updateEnabled);
    connect(m_connection, &QComboBox::currentTextChanged, this, [this] {
        if (!m_connection->currentText().isEmpty())
            m_server->setChecked(true);
        m_status->clear();
    });
    connect(m_tester, &ConnectionTester::finished, this,
            [this](quint64 token, bool ok, const QString &message) {
                if (token != m_testToken)
                    return;
                m_testToken = 0;
                m_test->setEnabled(m_server->isChecked());
                if (ok)
                    rememberConnection(m_tested);
                showStatus(message, ok ? Tone::Success : Tone::Error);
            });

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status, 1);
    layout->addWidget(buttons);
    updateEnabled();
}

void ConnectDialog::showStatus(const QString &text, Tone tone)
{
    switch (tone) {
    case Tone::Plain:
        m_status->setStyleSheet(QString());
        break;
    case Tone::Success:
        m_status->setStyleSheet(QStringLiteral("color: #2e7d32;"));
        break;
    case Tone::Error:
        m_status->setStyleSheet(QStringLiteral("color: #c62828;"));
        break;
    }
    m_status->setText(text);
}

void ConnectDialog::updateEnabled()
{
    m_connection->setEnabled(m_server->isChecked());
    m_password->setEnabled(m_server->isChecked());
    m_test->setEnabled(m_server->isChecked() && m_testToken == 0);
}

std::optional<ConnectionOptions> ConnectDialog::parsed(QString *error) const
{
    const QString text = m_connection->currentText().trimmed();
    auto options = ConnectionOptions::parse(text);
    if (!options) {
        *error = options.error().message();
        return std::nullopt;
    }
    ConnectionOptions o = options.value();
    if (!m_password->text().isEmpty())
        o.password = m_password->text();
    return o;
}

void ConnectDialog::testConnection()
{
    QString error;
    auto options = parsed(&error);
    if (!options) {
        showStatus(error, Tone::Error);
        return;
    }
    showStatus(tr("Testing %1…").arg(options->toDisplayString()), Tone::Plain);
    m_test->setEnabled(false);
    m_tested = *options;
    m_testToken = m_tester->test(*options);
}

void ConnectDialog::accept()
{
    ConnectionTarget target;
    target.schema = m_schema->text().trimmed();
    if (QString why = Store::validateSchemaName(target.schema); !why.isEmpty()) {
        showStatus(why, Tone::Error);
        return;
    }
    if (m_embedded->isChecked()) {
        target.embedded = true;
    } else {
        QString error;
        auto options = parsed(&error);
        if (!options) {
            showStatus(error, Tone::Error);
            return;
        }
        target.options = *options;
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
