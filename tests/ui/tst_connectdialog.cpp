// The connect dialog: parse errors as you go, a connection test off the UI thread, recent
// connections remembered without any password, clear errors for servers that refuse or never
// answer while the dialog stays responsive, and whether a connection is encrypted and its
// server's certificate verified; and a password given in a connection string shows up in no
// window, dialog, status bar, recent connection or log line.
#include "support/logcapture.h"
#include "support/testdatabase.h"
#include "support/tlsserver.h"

#include "connectdialog.h"
#include "mainwindow.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QTextEdit>
#include <QTimer>
#include <QUrl>
#include <QUuid>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace eventium;
using namespace eventium::ui;
using eventium::test::TestDatabase;
using eventium::test::TlsServer;

namespace {

constexpr int kTimeout = 30000;
const QString kSecret = QStringLiteral("S3cret-pw");

// A TCP port on 127.0.0.1 that accepts connections (the kernel completes the handshake) but
// never answers: libpq waits for the server's reply until connect_timeout.
class SilentServer
{
public:
    SilentServer()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
            || ::listen(m_fd, 8) != 0)
            return;
        socklen_t len = sizeof addr;
        if (::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
            m_port = ntohs(addr.sin_port);
    }
    ~SilentServer() { close(); }
    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

QPushButton *testButton(ConnectDialog *dialog)
{
    return dialog->findChild<QPushButton *>(QStringLiteral("test"));
}

QPushButton *connectButton(ConnectDialog *dialog)
{
    return dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
}

void enter(ConnectDialog *dialog, const QString &text)
{
    dialog->connectionCombo()->lineEdit()->clear();
    QTest::keyClicks(dialog->connectionCombo()->lineEdit(), text);
}

// Tests `options` with the password typed apart; the status label once the test is over.
QString testedStatus(ConnectDialog *dialog, ConnectionOptions options)
{
    const QString password = options.password;
    options.password.clear();
    enter(dialog, options.toConnInfo());
    dialog->passwordEdit()->setText(password);
    QTest::mouseClick(testButton(dialog), Qt::LeftButton);
    if (!QTest::qWaitFor([&] { return testButton(dialog)->isEnabled(); }, kTimeout))
        return QStringLiteral("(the test did not finish)");
    return dialog->statusLabel()->text();
}

// The test server as a postgres:// URL with a user and a password (the server trusts local
// connections, so the password is accepted whatever it is).
QString urlWithPassword()
{
    const ConnectionOptions o = TestDatabase::options();
    QString user
        = o.user.isEmpty() ? qEnvironmentVariable("USER", QStringLiteral("postgres")) : o.user;
    QString url = QStringLiteral("postgres://%1:%2@%3")
                      .arg(QString::fromUtf8(QUrl::toPercentEncoding(user)), kSecret,
                           QString::fromUtf8(QUrl::toPercentEncoding(o.host)));
    if (o.port > 0)
        url += QLatin1Char(':') + QString::number(o.port);
    url += QLatin1Char('/') + o.dbname;
    return url;
}

// `o` as a postgres:// URL with its user and password, as people paste them.
QString urlOf(const ConnectionOptions &o)
{
    return QStringLiteral("postgres://%1:%2@%3:%4/%5?sslmode=%6")
        .arg(QString::fromUtf8(QUrl::toPercentEncoding(o.user)),
             QString::fromUtf8(QUrl::toPercentEncoding(o.password)), o.host)
        .arg(o.port)
        .arg(o.dbname, o.sslmode);
}

// Every text the application shows right now: titles, tooltips, status and what's-this texts,
// labels, buttons, line edits (but `inputs`, where the user typed the password), combo box
// entries (the recent connections), message boxes, status bars, text views, tabs, actions and
// the first rows of every item view, of every widget there is.
QStringList shownTexts(const QList<QWidget *> &inputs)
{
    QStringList texts;
    const QList<QWidget *> widgets = QApplication::allWidgets();
    for (QWidget *w : widgets) {
        texts << w->windowTitle() << w->windowIconText() << w->toolTip() << w->statusTip()
              << w->whatsThis() << w->accessibleName() << w->accessibleDescription();
        const QList<QAction *> actions = w->actions();
        for (const QAction *a : actions)
            texts << a->text() << a->iconText() << a->toolTip() << a->statusTip() << a->whatsThis();
        if (auto *label = qobject_cast<QLabel *>(w))
            texts << label->text();
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            texts << button->text();
        if (auto *group = qobject_cast<QGroupBox *>(w))
            texts << group->title();
        if (auto *edit = qobject_cast<QLineEdit *>(w); edit && !inputs.contains(edit))
            texts << edit->text() << edit->displayText() << edit->placeholderText();
        if (auto *combo = qobject_cast<QComboBox *>(w)) {
            for (int i = 0; i < combo->count(); ++i)
                texts << combo->itemText(i) << combo->itemData(i, Qt::ToolTipRole).toString();
            if (!inputs.contains(combo->lineEdit()))
                texts << combo->currentText();
        }
        if (auto *box = qobject_cast<QMessageBox *>(w))
            texts << box->text() << box->informativeText() << box->detailedText();
        if (auto *bar = qobject_cast<QStatusBar *>(w))
            texts << bar->currentMessage();
        if (auto *text = qobject_cast<QTextEdit *>(w))
            texts << text->toPlainText();
        if (auto *text = qobject_cast<QPlainTextEdit *>(w))
            texts << text->toPlainText();
        if (auto *tabs = qobject_cast<QTabWidget *>(w)) {
            for (int i = 0; i < tabs->count(); ++i)
                texts << tabs->tabText(i) << tabs->tabToolTip(i);
        }
        if (auto *view = qobject_cast<QAbstractItemView *>(w); view && view->model()) {
            const QAbstractItemModel *model = view->model();
            for (int row = 0; row < std::min(model->rowCount(), 50); ++row) {
                for (int column = 0; column < model->columnCount(); ++column) {
                    const QModelIndex index = model->index(row, column);
                    texts << index.data(Qt::DisplayRole).toString()
                          << index.data(Qt::ToolTipRole).toString();
                }
            }
        }
    }
    texts.removeAll(QString());
    return texts;
}

// The first of `texts` that holds one of `secrets` (or a URL-encoded one), with the secret
// replaced; empty when none does.
QString leakIn(const QStringList &texts, const QStringList &secrets)
{
    for (const QString &text : texts) {
        for (const QString &secret : secrets) {
            const QString encoded = QString::fromUtf8(QUrl::toPercentEncoding(secret));
            if (text.contains(secret) || text.contains(encoded)) {
                return QString(text)
                    .replace(secret, QStringLiteral("<password>"))
                    .replace(encoded, QStringLiteral("<password>"))
                    .left(400);
            }
        }
    }
    return QString();
}

QString settingsFileText()
{
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.readAll());
}

} // namespace

class TestConnectDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("EventiumTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectdialog"));
        const QString home = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
        QVERIFY2(!QSettings().fileName().startsWith(home + QStringLiteral("/.config/")),
                 qPrintable(QSettings().fileName()));
    }

    void init() { QSettings().clear(); }

    void cleanupTestCase() { QSettings().clear(); }

    void invalidTextShowsTheParseError()
    {
        ConnectDialog dialog(ConnectionTarget {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        enter(&dialog, QStringLiteral("host=db port=five"));
        QTest::mouseClick(testButton(&dialog), Qt::LeftButton);
        QVERIFY(dialog.statusLabel()->isVisible());
        QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("invalid port")),
                 qPrintable(dialog.statusLabel()->text()));

        enter(&dialog, QStringLiteral("postgres://me@[::1/app"));
        QVERIFY(dialog.statusLabel()->text().isEmpty()); // edited: the old message goes
        QTest::mouseClick(connectButton(&dialog), Qt::LeftButton);
        QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("IPv6")),
                 qPrintable(dialog.statusLabel()->text()));
        // Not accepted, nothing remembered.
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY(ConnectDialog::recentConnections().isEmpty());
    }

    void urlWithPasswordIsTestedAndRememberedWithoutIt()
    {
        ConnectDialog dialog(ConnectionTarget {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QString url = urlWithPassword();
        enter(&dialog, url);
        QTest::mouseClick(testButton(&dialog), Qt::LeftButton);
        // The test runs elsewhere: the button waits, the status says what is going on and
        // masks the password.
        QVERIFY(!testButton(&dialog)->isEnabled());
        QVERIFY2(!dialog.statusLabel()->text().contains(kSecret),
                 qPrintable(dialog.statusLabel()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(
            dialog.statusLabel()->text().startsWith(QStringLiteral("Connected: PostgreSQL")),
            kTimeout);
        QVERIFY(testButton(&dialog)->isEnabled());
        // Through the test server's Unix socket: no TLS.
        QVERIFY2(dialog.statusLabel()->text().endsWith(QStringLiteral("\nNot encrypted")),
                 qPrintable(dialog.statusLabel()->text()));

        // A connection that worked is remembered, without its password.
        QStringList recent = ConnectDialog::recentConnections();
        QCOMPARE(recent.size(), 1);
        QVERIFY2(!recent.first().contains(kSecret), qPrintable(recent.first()));
        QVERIFY2(!recent.first().contains(QStringLiteral("password")), qPrintable(recent.first()));
        auto reparsed = ConnectionOptions::parse(recent.first());
        QVERIFY(reparsed);
        QCOMPARE(reparsed->host, TestDatabase::options().host);
        QVERIFY(reparsed->password.isEmpty());

        // Connecting keeps the password for this session's target only.
        QTest::mouseClick(connectButton(&dialog), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.target().options.password, kSecret);
        QVERIFY(!dialog.target().embedded);
        recent = ConnectDialog::recentConnections();
        QCOMPARE(recent.size(), 1);
        const QString file = settingsFileText();
        QVERIFY2(file.contains(QStringLiteral("connections")), qPrintable(file));
        QVERIFY2(!file.contains(kSecret), qPrintable(file));

        // The recent connection is offered next time; a password typed apart is not kept.
        ConnectDialog again(ConnectionTarget {});
        QCOMPARE(again.connectionCombo()->count(), 1);
        again.connectionCombo()->setCurrentIndex(0);
        again.passwordEdit()->setText(QStringLiteral("typed-apart-pw"));
        QTest::mouseClick(connectButton(&again), Qt::LeftButton);
        QCOMPARE(again.result(), int(QDialog::Accepted));
        QCOMPARE(again.target().options.password, QStringLiteral("typed-apart-pw"));
        QVERIFY(!settingsFileText().contains(QStringLiteral("typed-apart-pw")));
        QCOMPARE(ConnectDialog::recentConnections().size(), 1);
    }

    void refusedConnectionShowsAClearError()
    {
        int port = 0;
        {
            SilentServer closed; // a port nobody listens on once it is closed again
            port = closed.port();
        }
        QVERIFY(port > 0);
        ConnectDialog dialog(ConnectionTarget {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        enter(&dialog,
              QStringLiteral("host=127.0.0.1 port=%1 dbname=x user=nobody connect_timeout=5")
                  .arg(port));
        QTest::mouseClick(testButton(&dialog), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(testButton(&dialog)->isEnabled(), kTimeout);
        const QString text = dialog.statusLabel()->text();
        QVERIFY2(text.startsWith(QStringLiteral("Could not connect: ")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(text));
        QVERIFY(ConnectDialog::recentConnections().isEmpty());
    }

    void tlsConnectionSaysEncryptedAndVerified()
    {
        TlsServer tls;
        QString error;
        QVERIFY2(tls.start(&error), qPrintable(error));
        ConnectDialog dialog(ConnectionTarget {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        // verify-full with the CA that signed the server's certificate.
        QString text
            = testedStatus(&dialog, tls.options(QStringLiteral("verify-full"), tls.caFile()));
        qInfo("verify-full: %s", qPrintable(text));
        QVERIFY2(text.startsWith(QStringLiteral("Connected: PostgreSQL")), qPrintable(text));
        const QRegularExpression verified(
            QStringLiteral("\\nEncrypted \\(TLS 1\\.[23], [A-Z0-9_-]+\\), certificate verified$"));
        QVERIFY2(verified.match(text).hasMatch(), qPrintable(text));
        QVERIFY2(!text.contains(tls.password()), qPrintable(text));
        QCOMPARE(ConnectDialog::recentConnections().size(), 1);
        QVERIFY(!ConnectDialog::recentConnections().first().contains(tls.password()));

        // require: encrypted, nothing about the certificate checked.
        text = testedStatus(&dialog, tls.options(QStringLiteral("require")));
        qInfo("require: %s", qPrintable(text));
        QVERIFY2(text.startsWith(QStringLiteral("Connected: PostgreSQL")), qPrintable(text));
        QVERIFY2(
            text.contains(QRegularExpression(QStringLiteral("\\nEncrypted \\(TLS 1\\.[23], "))),
            qPrintable(text));
        QVERIFY2(text.endsWith(QStringLiteral(", certificate not verified (sslmode=require)")),
                 qPrintable(text));

        // verify-ca: the CA, not the host name.
        text = testedStatus(&dialog, tls.options(QStringLiteral("verify-ca"), tls.caFile()));
        QVERIFY2(text.endsWith(QStringLiteral(
                     ", certificate verified, host name not checked (sslmode=verify-ca)")),
                 qPrintable(text));

        // The same server over plain TCP.
        text = testedStatus(&dialog, tls.options(QStringLiteral("disable")));
        qInfo("disable: %s", qPrintable(text));
        QVERIFY2(text.startsWith(QStringLiteral("Connected: PostgreSQL")), qPrintable(text));
        QVERIFY2(text.endsWith(QStringLiteral("\nNot encrypted")), qPrintable(text));
        QVERIFY(!text.contains(QStringLiteral("Encrypted")));

        // A CA that did not sign the server's certificate: refused, with libpq's reason.
        text = testedStatus(&dialog, tls.options(QStringLiteral("verify-full"), tls.otherCaFile()));
        qInfo("untrusted CA: %s", qPrintable(text));
        QVERIFY2(text.startsWith(QStringLiteral("Could not connect: ")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("certificate verify failed")), qPrintable(text));
        QVERIFY2(!text.contains(tls.password()), qPrintable(text));
    }

    void silentServerTimesOutWithoutFreezing()
    {
        SilentServer silent;
        QVERIFY(silent.port() > 0);
        ConnectDialog dialog(ConnectionTarget {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        enter(&dialog,
              QStringLiteral("postgres://nobody:%1@127.0.0.1:%2/x?connect_timeout=2")
                  .arg(kSecret)
                  .arg(silent.port()));

        QTimer ticker;
        int ticks = 0;
        ticker.setInterval(20);
        connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
        ticker.start();
        QElapsedTimer clock;
        clock.start();
        QTest::mouseClick(testButton(&dialog), Qt::LeftButton);
        // The click returned at once and the event loop keeps running while libpq waits.
        QVERIFY2(clock.elapsed() < 500, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!testButton(&dialog)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(ticks >= 25, 1500);
        QVERIFY(!testButton(&dialog)->isEnabled()); // still waiting for the server
        QVERIFY(dialog.statusLabel()->text().startsWith(QStringLiteral("Testing")));
        // The typed text can still be edited while the test runs.
        dialog.schemaEdit()->setText(QStringLiteral("other"));
        QCOMPARE(dialog.schemaEdit()->text(), QStringLiteral("other"));

        QTRY_VERIFY_WITH_TIMEOUT(testButton(&dialog)->isEnabled(), kTimeout);
        const QString text = dialog.statusLabel()->text();
        qInfo("silent server answered after %lld ms: %s", clock.elapsed(), qPrintable(text));
        QVERIFY2(text.startsWith(QStringLiteral("Could not connect: ")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("timeout"), Qt::CaseInsensitive), qPrintable(text));
        QVERIFY2(!text.contains(kSecret), qPrintable(text));
        QVERIFY(clock.elapsed() >= 1500);
        QVERIFY(ticks >= clock.elapsed() / 20 / 3);
        QVERIFY(ConnectDialog::recentConnections().isEmpty());
    }

    // A password in the connection string (keyword form and URL), wrong, to a port nobody
    // listens on, and right: in the browser's window and its connect dialog, it appears in no
    // title, label, tooltip, status bar, recent connection or message box, nor in any log line.
    void passwordsAppearInNoWindowOrLog()
    {
        const test::LogCapture log;

        // TCP to a server that checks the password (scram-sha-256).
        TlsServer server;
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        ConnectionOptions good = server.options(QStringLiteral("disable"));
        good.host = QStringLiteral("127.0.0.1");
        ConnectionOptions wrong = good;
        wrong.password = QStringLiteral("Wr0ng-") + QUuid::createUuid().toString(QUuid::Id128);
        ConnectionOptions unreachable = good;
        {
            SilentServer closed; // a port nobody listens on once it is closed again
            unreachable.port = closed.port();
        }
        QVERIFY(unreachable.port > 0);
        const QStringList secrets {good.password, wrong.password};
        QVERIFY(good.password.size() >= 8);

        for (const bool url : {false, true}) {
            const auto text
                = [url](const ConnectionOptions &o) { return url ? urlOf(o) : o.toConnInfo(); };
            for (const ConnectionOptions &o : {good, wrong, unreachable})
                QVERIFY(text(o).contains(o.password)); // given, and must not come back
            const QString form = url ? QStringLiteral("URL") : QStringLiteral("keyword string");
            QStringList texts; // everything shown in this round
            const auto look = [&](const QList<QWidget *> &inputs, const QString &when) {
                const QStringList shown = shownTexts(inputs);
                texts += shown;
                const QString leak = leakIn(shown, secrets);
                return leak.isEmpty() ? leak : when + QStringLiteral(": ") + leak;
            };

            // The browser started with the wrong password: it says it could not connect.
            auto start = ConnectionOptions::parse(text(wrong));
            QVERIFY(start);
            QCOMPARE(start->password, wrong.password);
            MainWindow::Options options;
            options.target.options = *start;
            options.target.schema = TestDatabase::uniqueSchema(QStringLiteral("pw"));
            options.restoreState = false;
            MainWindow window(options);
            QSignalSpy failed(&window, &MainWindow::connectFailed);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kTimeout);
            QVERIFY2(window.connectionLabel()->text().contains(
                         QStringLiteral("password authentication failed")),
                     qPrintable(window.connectionLabel()->text()));
            QString found = look({}, form + QStringLiteral(", browser with the wrong password"));
            QVERIFY2(found.isEmpty(), qPrintable(found));

            // Its connect dialog: the same server with the wrong password, then an unreachable
            // port, then the right password.
            window.openConnectDialog();
            ConnectDialog *dialog = window.findChild<ConnectDialog *>();
            QVERIFY(dialog);
            QVERIFY(QTest::qWaitForWindowExposed(dialog));
            const QList<QWidget *> inputs {dialog->connectionCombo()->lineEdit(),
                                           dialog->passwordEdit()};
            QVERIFY(!dialog->connectionCombo()->currentText().isEmpty()); // the current one
            found = look({}, form + QStringLiteral(", dialog opened"));
            QVERIFY2(found.isEmpty(), qPrintable(found));
            const struct
            {
                const ConnectionOptions &options;
                QString status;
            } tests[] = {{wrong, QStringLiteral("password authentication failed")},
                         {unreachable, QStringLiteral("Could not connect: ")},
                         {good, QStringLiteral("Connected: PostgreSQL")}};
            for (const auto &test : tests) {
                enter(dialog, text(test.options));
                QTest::mouseClick(testButton(dialog), Qt::LeftButton);
                // While it runs.
                found = look(inputs, form + QStringLiteral(", testing"));
                QVERIFY2(found.isEmpty(), qPrintable(found));
                QTRY_VERIFY_WITH_TIMEOUT(testButton(dialog)->isEnabled(), kTimeout);
                const QString status = dialog->statusLabel()->text();
                QVERIFY2(status.contains(test.status), qPrintable(status));
                found = look(inputs, form + QStringLiteral(", tested: ") + test.status);
                QVERIFY2(found.isEmpty(), qPrintable(found));
            }

            // Connect: the browser shows where it is connected.
            QSignalSpy connected(&window, &MainWindow::connectedToStore);
            QTest::mouseClick(connectButton(dialog), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(window.isConnected(), kTimeout);
            QCOMPARE(connected.size(), 1);
            const QString where = QStringLiteral("127.0.0.1:%1/%2").arg(good.port).arg(good.dbname);
            QVERIFY2(window.connectionLabel()->text().contains(where),
                     qPrintable(window.connectionLabel()->text()));
            QTRY_VERIFY_WITH_TIMEOUT(!window.findChild<ConnectDialog *>(), kTimeout);
            found = look({}, form + QStringLiteral(", connected"));
            QVERIFY2(found.isEmpty(), qPrintable(found));

            // The dialog again: the current connection and the recent ones, without passwords.
            window.openConnectDialog();
            dialog = window.findChild<ConnectDialog *>();
            QVERIFY(dialog);
            QVERIFY(QTest::qWaitForWindowExposed(dialog));
            QVERIFY(dialog->connectionCombo()->count() >= 1); // the recent connections
            QVERIFY2(dialog->connectionCombo()->currentText().contains(QStringLiteral("127.0.0.1")),
                     qPrintable(dialog->connectionCombo()->currentText()));
            found = look({}, form + QStringLiteral(", dialog opened again"));
            QVERIFY2(found.isEmpty(), qPrintable(found));
            dialog->reject();

            // What was looked at holds what it should (so the look was a real one).
            for (const QString &expected :
                 {where, QStringLiteral("password authentication failed"),
                  QStringLiteral("Connected: PostgreSQL"), QStringLiteral("Could not connect: "),
                  QStringLiteral("Eventium")}) {
                QVERIFY2(std::any_of(texts.cbegin(), texts.cend(),
                                     [&](const QString &t) { return t.contains(expected); }),
                         qPrintable(expected));
            }
            found = leakIn(ConnectDialog::recentConnections(), secrets);
            QVERIFY2(found.isEmpty(), qPrintable(found));
            QVERIFY(settingsFileText().contains(QStringLiteral("127.0.0.1")));
            found = leakIn({settingsFileText()}, secrets);
            QVERIFY2(found.isEmpty(), qPrintable(found));
        }

        // No log line, at every level of every eventium category.
        const QStringList lines = log.lines();
        QVERIFY2(std::any_of(lines.cbegin(), lines.cend(),
                             [](const QString &line) {
                                 return line.startsWith(QStringLiteral("connect failed:"));
                             }),
                 qPrintable(lines.join(QLatin1Char('\n')).left(2000)));
        QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QString &line) {
            return line.startsWith(QStringLiteral("connected to"));
        }));
        const QString leaked = leakIn(lines, secrets);
        QVERIFY2(leaked.isEmpty(), qPrintable(QStringLiteral("log: ") + leaked));
    }
};

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"
