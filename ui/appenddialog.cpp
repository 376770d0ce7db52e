#include "appenddialog.h"

#include "backgroundtask.h"
#include "jsonformatter.h"
#include "jsonhighlighter.h"
#include "storeworker.h"
#include "textslicer.h"

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
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStringListModel>
#include <QTimer>
#include <QVBoxLayout>

#include <functional>

namespace eventium::ui {

namespace {

bool hasLongLine(const QString &text)
{
    if (text.size() <= JsonHighlighter::kMaxLineChars)
        return false;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf(QLatin1Char('\n'), start);
        if (end < 0)
            end = text.size();
        if (end - start > JsonHighlighter::kMaxLineChars)
            return true;
        start = end + 1;
    }
    return false;
}

// A JSON editor that hands pasted text with a very long line (one line of a megabyte is
// common when copying from logs) to `onLongPaste`: a text view lays out a whole line at once,
// and one huge line makes every repaint and keystroke slow.
class JsonEdit : public QPlainTextEdit
{
public:
    using QPlainTextEdit::QPlainTextEdit;
    std::function<void(const QString &)> onLongPaste;

protected:
    void insertFromMimeData(const QMimeData *source) override
    {
        if (source->hasText() && onLongPaste) {
            const QString text = source->text();
            if (hasLongLine(text)) {
                onLongPaste(text);
                return;
            }
        }
        QPlainTextEdit::insertFromMimeData(source);
    }
};

QPlainTextEdit *jsonEditor(QWidget *parent, const QString &name, const QString &text)
{
    auto *edit = new JsonEdit(parent);
    edit->setObjectName(name);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setTabChangesFocus(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setPlainText(text);
    new JsonHighlighter(edit);
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
    // A row of two widgets: the label's buddy (its Alt key) is the combo box.
    auto *expectedLabel = new QLabel(tr("&Expected version:"), this);
    expectedLabel->setBuddy(m_expectedMode);
    form->addRow(expectedLabel, expectedRow);

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
        clearOutcome();
        m_lookupTimer->start();
        validate();
    });
    connect(m_type, &QLineEdit::textChanged, this, &AppendDialog::validate);
    m_jsonTimer = new QTimer(this);
    m_jsonTimer->setSingleShot(true);
    m_jsonTimer->setInterval(200);
    connect(m_jsonTimer, &QTimer::timeout, this, &AppendDialog::startJsonCheck);
    for (QPlainTextEdit *edit : {m_payload, m_metadata}) {
        static_cast<JsonEdit *>(edit)->onLongPaste
            = [this, edit](const QString &text) { pasteFormatted(edit, text); };
    }
    connect(m_payload, &QPlainTextEdit::textChanged, this, &AppendDialog::checkJson);
    connect(m_metadata, &QPlainTextEdit::textChanged, this, &AppendDialog::checkJson);
    connect(m_expectedMode, &QComboBox::currentIndexChanged, this, [this] {
        m_expectedVersion->setEnabled(m_expectedMode->currentData().toInt() == ExpectExact);
        clearOutcome();
    });
    connect(m_expectedVersion, &QSpinBox::valueChanged, this, &AppendDialog::clearOutcome);
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
    checkJson();
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
    const QString &payloadWhy = m_payloadWhy;
    if (m_pasteTarget)
        m_payloadError->setText(tr("Pasting %1… %2%")
                                    .arg(JsonFormatter::displaySize(m_pasteChars))
                                    .arg(m_pasteSlicer ? m_pasteSlicer->percent() : 0));
    else if (m_jsonChecking)
        m_payloadError->setText(
            tr("Checking the JSON (%1)…").arg(JsonFormatter::displaySize(m_jsonChars)));
    else
        m_payloadError->setText(payloadWhy.isEmpty() ? QString()
                                                     : tr("Payload: %1").arg(payloadWhy));
    m_payloadError->setVisible(m_jsonChecking || !payloadWhy.isEmpty());
    // Progress is not an error: it is said in the quiet colour.
    m_payloadError->setStyleSheet(m_jsonChecking
                                      ? QStringLiteral("color: palette(placeholder-text);")
                                      : QStringLiteral("color: #c62828;"));
    const QString &metadataWhy = m_metadataWhy;
    m_metadataError->setText(
        metadataWhy.isEmpty() || m_jsonChecking ? QString() : tr("Metadata: %1").arg(metadataWhy));
    m_metadataError->setVisible(!m_jsonChecking && !metadataWhy.isEmpty());
    if (m_jsonChecking || !payloadWhy.isEmpty() || !metadataWhy.isEmpty())
        valid = false;
    m_ok->setEnabled(valid);
}

void AppendDialog::prefill(const QString &type, const QByteArray &payload,
                           const QByteArray &metadata)
{
    m_type->setText(type);
    m_metadata->clear();
    m_payload->clear();
    // One editor at a time goes in through the slicer: the metadata (small: at once) first.
    if (!metadata.isEmpty())
        m_metadata->setPlainText(JsonFormatter::pretty(metadata));
    if (payload.size() <= kSyncJsonChars)
        m_payload->setPlainText(JsonFormatter::pretty(payload));
    else
        pasteFormatted(m_payload, QString::fromUtf8(payload));
    m_payload->setFocus();
    checkJson();
}

void AppendDialog::pasteFormatted(QPlainTextEdit *edit, const QString &text)
{
    // Indented off the UI thread, then put in a slice at a time; the editor is read-only
    // meanwhile and Append disabled. Text that stays one long line (not JSON, or a long
    // string) goes in as it is.
    m_pasteTarget = edit;
    m_pasteChars = text.size();
    m_pasteCursor = edit->textCursor();
    edit->setReadOnly(true);
    runInBackground(
        this,
        [text] {
            const QString pretty = JsonFormatter::pretty(text.toUtf8());
            return hasLongLine(pretty) ? text : pretty;
        },
        [this](const QString &formatted) { insertPasted(formatted); });
    checkJson();
}

void AppendDialog::checkJson()
{
    if (m_pasteTarget) {
        m_jsonChecking = true;
        validate();
        return;
    }
    ++m_jsonGeneration;
    m_jsonChars
        = m_payload->document()->characterCount() + m_metadata->document()->characterCount();
    if (m_jsonChars <= kSyncJsonChars) {
        m_jsonTimer->stop();
        m_payloadWhy = jsonError(m_payload->toPlainText(), false);
        m_metadataWhy = jsonError(m_metadata->toPlainText(), true);
        m_jsonChecking = false;
    } else {
        // Parsing a megabyte takes long enough to be felt on every keystroke: off the UI
        // thread, once typing pauses. Append stays disabled until the answer is in.
        m_jsonChecking = true;
        m_jsonTimer->start();
    }
    validate();
}

void AppendDialog::startJsonCheck()
{
    runInBackground(
        this,
        [generation = m_jsonGeneration, payload = m_payload->toPlainText(),
         metadata = m_metadata->toPlainText()] {
            return JsonCheck {generation, jsonError(payload, false), jsonError(metadata, true)};
        },
        [this](const JsonCheck &check) {
            if (check.generation != m_jsonGeneration)
                return; // edited since: a newer check follows
            m_payloadWhy = check.payload;
            m_metadataWhy = check.metadata;
            m_jsonChecking = false;
            validate();
        });
}

void AppendDialog::insertPasted(const QString &formatted)
{
    if (!m_pasteTarget)
        return;
    m_pasteSlicer = new TextSlicer(m_pasteTarget);
    connect(m_pasteSlicer, &TextSlicer::progressed, this, &AppendDialog::validate);
    connect(m_pasteSlicer, &TextSlicer::finished, this, [this] {
        m_pasteTarget->setReadOnly(false);
        m_pasteTarget = nullptr;
        m_pasteSlicer->deleteLater();
        m_pasteSlicer = nullptr;
        checkJson();
    });
    m_pasteSlicer->start(m_pasteCursor, formatted);
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
        const QString message = tr("Conflict: expected %1, but %2. Nothing was written.")
                                    .arg(expected().toString(), actual);
        if (result.actualVersion >= 0) {
            m_streamHint->setText(tr("Existing stream at version %1").arg(result.actualVersion));
            m_expectedVersion->setValue(
                int(qMin<qint64>(result.actualVersion, std::numeric_limits<int>::max())));
        }
        showStatus(message, true); // after the version offered for a retry, which clears it
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

void AppendDialog::clearOutcome()
{
    // What the last append answered (a conflict, a failure) was about the stream and the
    // expectation it was sent with: once either changes, it no longer holds.
    if (m_appendToken == 0 && m_status->isVisible())
        showStatus(QString(), false);
}

void AppendDialog::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828; font-weight: bold;")
                                  : QString());
    m_status->setVisible(!text.isEmpty());
}

} // namespace eventium::ui
