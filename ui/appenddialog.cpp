#include "appenddialog.h"

#include "jsonhighlighter.h"
#include "storeworker.h"

#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStringListModel>
#include <QTimer>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

QPlainTextEdit *jsonEditor(QWidget *parent, const QString &name, const QString &text)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(name);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setTabChangesFocus(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setPlainText(text);
    new JsonHighlighter(edit->document());
    return edit;
}

QLabel *errorLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #c62828;"));
    label->hide();
    return label;
}

} // namespace

AppendDialog::AppendDialog(StoreWorker *worker, const QStringList &knownStreams,
                           const QString &stream, QWidget *parent)
    : QDialog(parent)
    , m_worker(worker)
{
    setWindowTitle(tr("Append Event"));
    setObjectName(QStringLiteral("appendDialog"));
    resize(620, 560);

    m_stream = new QComboBox(this);
    m_stream->setObjectName(QStringLiteral("stream"));
    m_stream->setEditable(true);
    m_stream->setInsertPolicy(QComboBox::NoInsert);
    m_stream->addItems(knownStreams);
    m_stream->setCurrentText(stream);
    m_stream->lineEdit()->setPlaceholderText(tr("an existing stream or a new one, e.g. order-42"));
    m_completions = new QStringListModel(knownStreams, this);
    auto *completer = new QCompleter(m_completions, this);
    completer->setCaseSensitivity(Qt::CaseSensitive);
    completer->setCompletionMode(QCompleter::PopupCompletion);
    m_stream->setCompleter(completer);
    m_streamHint = new QLabel(this);
    m_streamHint->setObjectName(QStringLiteral("streamHint"));
    m_streamHint->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));

    m_type = new QLineEdit(this);
    m_type->setObjectName(QStringLiteral("type"));
    m_type->setPlaceholderText(tr("e.g. OrderPlaced"));
    m_type->setText(QStringLiteral("TestEvent"));

    m_payload = jsonEditor(this, QStringLiteral("payload"),
                           QStringLiteral("{\n  \"hello\": \"world\"\n}"));
    m_payloadError = errorLabel(this, QStringLiteral("payloadError"));
    m_metadata = jsonEditor(this, QStringLiteral("metadata"), QString());
    m_metadata->setPlaceholderText(tr("optional JSON object, e.g. {\"correlationId\": \"…\"}"));
    m_metadata->setMaximumHeight(90);
    m_metadataError = errorLabel(this, QStringLiteral("metadataError"));

    m_expectedMode = new QComboBox(this);
    m_expectedMode->setObjectName(QStringLiteral("expectedMode"));
    m_expectedMode->addItem(tr("Any version"), ExpectAny);
    m_expectedMode->addItem(tr("No stream (create)"), ExpectNoStream);
    m_expectedMode->addItem(tr("Stream exists"), ExpectExists);
    m_expectedMode->addItem(tr("Exact version"), ExpectExact);
    m_expectedVersion = new QSpinBox(this);
    m_expectedVersion->setObjectName(QStringLiteral("expectedVersion"));
    m_expectedVersion->setRange(0, std::numeric_limits<int>::max());
    m_expectedVersion->setGroupSeparatorShown(true);
    m_expectedVersion->setMinimumWidth(120);
    auto *expectedRow = new QHBoxLayout;
    expectedRow->addWidget(m_expectedMode, 1);
    expectedRow->addWidget(m_expectedVersion);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->hide();

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Stream:"), m_stream);
    form->addRow(QString(), m_streamHint);
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("&Payload:"), m_payload);
    form->addRow(QString(), m_payloadError);
    form->addRow(tr("&Metadata:"), m_metadata);
    form->addRow(QString(), m_metadataError);
    form->addRow(tr("&Expected version:"), expectedRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("&Append"));
    m_ok->setObjectName(QStringLiteral("append"));
    connect(buttons, &QDialogButtonBox::accepted, this, &AppendDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &AppendDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    m_lookupTimer = new QTimer(this);
    m_lookupTimer->setSingleShot(true);
    m_lookupTimer->setInterval(250);
    connect(m_lookupTimer, &QTimer::timeout, this, &AppendDialog::lookUpStream);
    connect(m_stream, &QComboBox::currentTextChanged, this, [this] {
        m_versionKnown = false;
        m_lookupTimer->start();
        validate();
    });
    connect(m_type, &QLineEdit::textChanged, this, &AppendDialog::validate);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &AppendDialog::validate);
    connect(m_metadata, &QPlainTextEdit::textChanged, this, &AppendDialog::validate);
    connect(m_expectedMode, &QComboBox::currentIndexChanged, this, [this] {
        m_expectedVersion->setEnabled(m_expectedMode->currentData().toInt() == ExpectExact);
    });
    connect(worker, &StoreWorker::streamInfoReady, this, &AppendDialog::onStreamInfo);
    connect(worker, &StoreWorker::streamsListed, this,
            [this](quint64 token, const StreamPage &page) {
                if (token != m_listToken)
                    return;
                QStringList names;
                for (const StreamInfo &s : page.streams)
                    names.append(s.name);
                m_completions->setStringList(names);
            });
    connect(worker, &StoreWorker::appended, this, &AppendDialog::onAppended);
    connect(worker, &StoreWorker::failed, this, &AppendDialog::onFailed);

    m_expectedMode->setCurrentIndex(ExpectAny);
    m_expectedVersion->setEnabled(false);
    if (stream.isEmpty())
        m_stream->setFocus();
    else
        m_type->setFocus();
    validate();
    if (!stream.isEmpty())
        lookUpStream();
}

QString AppendDialog::jsonError(const QString &text, bool allowEmpty)
{
    if (text.trimmed().isEmpty())
        return allowEmpty ? QString() : tr("JSON is required");
    QJsonParseError error;
    const QByteArray utf8 = text.toUtf8();
    const QJsonDocument doc = QJsonDocument::fromJson(utf8, &error);
    if (error.error == QJsonParseError::NoError) {
        if (doc.isObject() || doc.isArray())
            return {};
        return tr("expected a JSON object or array");
    }
    // The offset is in UTF-8 bytes; count lines and columns in characters.
    const QString before = QString::fromUtf8(utf8.left(error.offset));
    const int line = int(before.count(QLatin1Char('\n'))) + 1;
    const int column = int(before.size() - before.lastIndexOf(QLatin1Char('\n')));
    return tr("%1 at line %2, column %3 (offset %4)")
        .arg(error.errorString())
        .arg(line)
        .arg(column)
        .arg(error.offset);
}

ExpectedVersion AppendDialog::expected() const
{
    switch (m_expectedMode->currentData().toInt()) {
    case ExpectNoStream:
        return ExpectedVersion::noStream();
    case ExpectExists:
        return ExpectedVersion::streamExists();
    case ExpectExact:
        return ExpectedVersion::exact(qint64(m_expectedVersion->value()));
    default:
        return ExpectedVersion::any();
    }
}

void AppendDialog::validate()
{
    bool valid = m_appendToken == 0;
    const QString stream = m_stream->currentText();
    const QString streamWhy
        = stream.isEmpty() ? tr("a stream name is required") : StreamName::validate(stream);
    if (!streamWhy.isEmpty()) {
        valid = false;
        if (!stream.isEmpty())
            m_streamHint->setText(streamWhy);
    }
    if (m_type->text().trimmed().isEmpty())
        valid = false;
    const QString payloadWhy = jsonError(m_payload->toPlainText(), false);
    m_payloadError->setText(payloadWhy.isEmpty() ? QString() : tr("Payload: %1").arg(payloadWhy));
    m_payloadError->setVisible(!payloadWhy.isEmpty());
    const QString metadataWhy = jsonError(m_metadata->toPlainText(), true);
    m_metadataError->setText(metadataWhy.isEmpty() ? QString()
                                                   : tr("Metadata: %1").arg(metadataWhy));
    m_metadataError->setVisible(!metadataWhy.isEmpty());
    if (!payloadWhy.isEmpty() || !metadataWhy.isEmpty())
        valid = false;
    m_ok->setEnabled(valid);
}

void AppendDialog::lookUpStream()
{
    const QString stream = m_stream->currentText();
    m_infoToken = 0;
    if (stream.isEmpty() || !StreamName::validate(stream).isEmpty())
        return;
    m_infoToken = m_worker->streamInfo(stream);
    m_listToken = m_worker->listStreams({}, 20, StreamOrder::ByName, stream);
}

void AppendDialog::onStreamInfo(quint64 token, const QString &stream, bool exists,
                                const StreamInfo &info)
{
    if (token != m_infoToken || stream != m_stream->currentText())
        return;
    m_infoToken = 0;
    m_versionKnown = true;
    if (exists) {
        m_streamHint->setText(tr("Existing stream at version %1").arg(info.version.value));
        m_expectedVersion->setValue(
            int(qMin<qint64>(info.version.value, std::numeric_limits<int>::max())));
        m_expectedMode->setCurrentIndex(ExpectExact);
    } else {
        m_streamHint->setText(tr("New stream"));
        m_expectedVersion->setValue(0);
        m_expectedMode->setCurrentIndex(ExpectNoStream);
    }
}

void AppendDialog::accept()
{
    validate();
    if (!m_ok->isEnabled())
        return;
    NewEvent event;
    event.type = m_type->text().trimmed();
    event.data = m_payload->toPlainText().toUtf8();
    if (!m_metadata->toPlainText().trimmed().isEmpty())
        event.metadata = m_metadata->toPlainText().toUtf8();
    m_appendToken = m_worker->append(m_stream->currentText(), expected(), {event});
    showStatus(tr("Appending…"), false);
    m_ok->setEnabled(false);
}

void AppendDialog::onAppended(quint64 token, const AppendResult &result)
{
    if (token != m_appendToken)
        return;
    m_appendToken = 0;
    if (result.isConflict()) {
        const QString actual = result.actualVersion < 0
            ? tr("the stream does not exist")
            : tr("the stream is at version %1").arg(result.actualVersion);
        showStatus(tr("Conflict: expected %1, but %2. Nothing was written.")
                       .arg(expected().toString(), actual),
                   true);
        if (result.actualVersion >= 0) {
            m_streamHint->setText(tr("Existing stream at version %1").arg(result.actualVersion));
            m_expectedVersion->setValue(
                int(qMin<qint64>(result.actualVersion, std::numeric_limits<int>::max())));
        }
        validate();
        return;
    }
    emit appended(result, m_stream->currentText());
    QDialog::accept();
}

void AppendDialog::onFailed(quint64 token, const StoreError &error)
{
    if (token == m_infoToken) {
        m_infoToken = 0;
        m_streamHint->setText(error.toString());
        return;
    }
    if (token != m_appendToken)
        return;
    m_appendToken = 0;
    showStatus(tr("Append failed: %1").arg(error.toString()), true);
    validate();
}

void AppendDialog::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828; font-weight: bold;")
                                  : QString());
    m_status->setVisible(!text.isEmpty());
}

} // namespace eventium::ui
